// The relay queue's state files (reference/relay/queue_entry.hpp, queue_sync.hpp): what the
// relay records at the next hop's 250 is what the next start sees, and a finished message
// takes its state file along.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "reference/relay/queue_entry.hpp"
#include "temp_dir.hpp"

namespace mh::reference {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

class QueueStateStoreTest : public ::testing::Test {
  protected:
    QueueStateStoreTest() {
        std::filesystem::create_directories(queue() / "new");
        std::ofstream(queue() / "new" / id)
            << "MAIL FROM:<a@origin.test>\r\nRCPT TO:<b@remote.test>"
               "\r\nRCPT TO:<c@remote.test>\r\nDATA\r\nSubject: x\r\n";
    }

    std::filesystem::path queue() const { return root_.path() / ".relay-queue"; }
    std::string state_text() const {
        std::ifstream in(queue() / "state" / id);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    }
    // Errors of the background fsyncs: none expected.
    QueueSync::ErrorHandler collect_errors() {
        return [this](const std::string& error) { errors_.push_back(error); };
    }

    const std::string id = "1764212345.M1P2Q3.host";
    TempDir root_;
    std::vector<std::string> errors_;
};

TEST_F(QueueStateStoreTest, ADeliveryRecordedAtTheReplyIsFinishedForTheNextStart) {
    {
        QueueStateStore store(queue(), collect_errors());
        store.record_finished(id, {"b@remote.test"});
        // The record is a plain append: in the file at once, before any fsync (what a SIGKILL
        // of the relay cannot undo).
        EXPECT_EQ(state_text(), "done b@remote.test\n");
    }
    QueueStateStore restarted(queue(), collect_errors());
    const QueueState state = restarted.load(id);
    EXPECT_TRUE(state.finished_with("b@remote.test"));
    EXPECT_FALSE(state.finished_with("c@remote.test"));
    EXPECT_EQ(state.attempts, 0U);
    EXPECT_TRUE(errors_.empty()) << errors_.front();
}

TEST_F(QueueStateStoreTest, AScheduleKeepsTheRecordsAndLaterRecordsAppend) {
    QueueStateStore store(queue(), collect_errors());
    store.record_finished(id, {"b@remote.test"});
    QueueState state = store.load(id);
    state.attempts = 2;
    state.next_attempt = std::chrono::system_clock::from_time_t(1764212400);
    store.save(id, state);
    store.record_finished(id, {"c@remote.test"});
    EXPECT_EQ(state_text(),
              "attempts 2\nnext 1764212400\ndone b@remote.test\ndone c@remote.test\n");
    const QueueState loaded = store.load(id);
    EXPECT_EQ(loaded.attempts, 2U);
    EXPECT_EQ(loaded.next_attempt, state.next_attempt);
    EXPECT_TRUE(loaded.finished_with("b@remote.test"));
    EXPECT_TRUE(loaded.finished_with("c@remote.test"));
    store.flush();
    EXPECT_TRUE(errors_.empty()) << errors_.front();
}

TEST_F(QueueStateStoreTest, AFinishedMessageLeavesAtOnceAndItsStateOnceThatIsDurable) {
    QueueStateStore store(queue(), collect_errors());
    store.record_finished(id, {"b@remote.test", "c@remote.test"});
    store.remove_message(id);
    EXPECT_FALSE(std::filesystem::exists(queue() / "new" / id));
    store.flush();
    EXPECT_FALSE(std::filesystem::exists(queue() / "state" / id));
    EXPECT_TRUE(errors_.empty()) << errors_.front();
}

TEST_F(QueueStateStoreTest, AStateWhoseMessageIsGoneIsClearedAtTheNextStart) {
    {
        QueueStateStore store(queue(), collect_errors());
        store.record_finished(id, {"b@remote.test"});
    }
    std::filesystem::remove(queue() / "new" / id);  // a crash between the two unlinks
    QueueStateStore restarted(queue(), collect_errors());
    restarted.remove_orphans();
    EXPECT_FALSE(std::filesystem::exists(queue() / "state" / id));
}

}  // namespace
}  // namespace mh::reference
