#include "reference/store/maildir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "reference/relay/maildir_queue.hpp"
#include "reference/store/account_name.hpp"
#include "reference/store/group_commit.hpp"
#include "temp_dir.hpp"

namespace mh::reference {
namespace {

using proto::smtp::DeliveryStatus;
using testing::TempDir;

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        out.push_back(entry.path());
    }
    return out;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

DeliveryResult deliver_sync(GroupCommitter& committer, const std::vector<Placement>& placements,
                            std::string_view content) {
    std::promise<DeliveryResult> promise;
    committer.submit(placements, content,
                     [&promise](DeliveryResult result) { promise.set_value(std::move(result)); });
    return promise.get_future().get();
}

TEST(AccountName, RefusesAnythingThatCouldLeaveTheRoot) {
    for (const char* bad :
         {"", "..", ".", "../x", "a/b", "/etc", ".hidden", "a\\b", "a b", "x\n", "\xc3\xa9"}) {
        EXPECT_FALSE(account_name_problem(bad).empty()) << bad;
    }
    EXPECT_FALSE(account_name_problem(std::string_view("a\0b", 3)).empty());
    EXPECT_FALSE(account_name_problem(std::string(65, 'a')).empty());
    for (const char* good : {"alice", "Bob.Smith", "x_1-2", "a..b"}) {
        EXPECT_TRUE(account_name_problem(good).empty()) << good;
    }
}

TEST(Maildir, AccountFoldersAreCreatedUnderTheRootOnly) {
    TempDir root;
    const auto maildir = ensure_account_maildir(root.path(), "alice");
    EXPECT_EQ(maildir, root.path() / "alice" / "Maildir");
    for (const char* sub : {"tmp", "new", "cur"}) {
        EXPECT_TRUE(std::filesystem::is_directory(maildir / sub)) << sub;
    }
    EXPECT_THROW(ensure_account_maildir(root.path(), "../escape"), std::invalid_argument);
    EXPECT_THROW(ensure_account_maildir(root.path(), "/tmp"), std::invalid_argument);
    EXPECT_FALSE(std::filesystem::exists(root.path().parent_path() / "escape"));
}

TEST(Maildir, UniqueNamesDoNotRepeatAcrossThreads) {
    std::vector<std::string> names(4000);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t) {
        threads.emplace_back([&names, t] {
            for (std::size_t i = 0; i < 1000; ++i) {
                names[t * 1000 + i] = unique_message_name();
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
    EXPECT_EQ(names[0].find_first_of("/:"), std::string::npos);
}

TEST(Maildir, StagedMessageIsInvisibleUntilPublished) {
    TempDir root;
    const auto maildir = ensure_account_maildir(root.path(), "alice");
    {
        StagedMessage staged(maildir, "", "Subject: x\r\n\r\nbody\r\n");
        EXPECT_TRUE(files_in(maildir / "new").empty());
        ASSERT_EQ(files_in(maildir / "tmp").size(), 1U);
        staged.sync_file();
        staged.publish();
        EXPECT_TRUE(files_in(maildir / "tmp").empty());
        ASSERT_EQ(files_in(maildir / "new").size(), 1U);
        EXPECT_EQ(read_file(maildir / "new" / staged.name()), "Subject: x\r\n\r\nbody\r\n");
    }
    { StagedMessage abandoned(maildir, "", "never acknowledged"); }
    EXPECT_TRUE(files_in(maildir / "tmp").empty()) << "an unpublished message leaves no file";
    EXPECT_EQ(files_in(maildir / "new").size(), 1U);
}

TEST(GroupCommit, DeliversOneCopyPerPlacementAndReportsTheId) {
    TempDir root;
    GroupCommitter committer(Durability::durable);
    const auto alice = ensure_account_maildir(root.path(), "alice");
    const auto bob = ensure_account_maildir(root.path(), "bob");
    const std::string message = "Received: from x\r\nSubject: hi\r\n\r\nline\r\n";
    const DeliveryResult result = deliver_sync(committer, {{alice, ""}, {bob, ""}}, message);
    ASSERT_EQ(result.status, DeliveryStatus::stored) << result.error;
    EXPECT_FALSE(result.id.empty());
    for (const auto& box : {alice, bob}) {
        const auto files = files_in(box / "new");
        ASSERT_EQ(files.size(), 1U);
        EXPECT_EQ(read_file(files[0]), message);
        EXPECT_TRUE(files_in(box / "tmp").empty());
    }
    EXPECT_EQ(files_in(alice / "new")[0].filename(), result.id);
}

TEST(GroupCommit, CompletesEveryConcurrentWaiterInFewerPasses) {
    TempDir root;
    GroupCommitter committer(Durability::durable);
    const auto box = ensure_account_maildir(root.path(), "alice");
    constexpr std::size_t writers = 8;
    constexpr std::size_t per_writer = 25;
    std::atomic<std::size_t> stored{0};
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            for (std::size_t i = 0; i < per_writer; ++i) {
                const std::string body = "message " + std::to_string(w) + "/" + std::to_string(i);
                if (deliver_sync(committer, {{box, ""}}, body).status == DeliveryStatus::stored) {
                    ++stored;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(stored.load(), writers * per_writer);
    EXPECT_EQ(files_in(box / "new").size(), writers * per_writer);
    EXPECT_TRUE(files_in(box / "tmp").empty());
    // Eight writers block on their completions, so passes carry several jobs each.
    EXPECT_LT(committer.passes(), writers * per_writer);
}

TEST(GroupCommit, ShutdownFinishesQueuedJobs) {
    TempDir root;
    const auto box = ensure_account_maildir(root.path(), "alice");
    std::atomic<int> done{0};
    {
        GroupCommitter committer(Durability::durable);
        for (int i = 0; i < 50; ++i) {
            committer.submit({{box, ""}}, "x", [&done](DeliveryResult r) {
                if (r.status == DeliveryStatus::stored) {
                    ++done;
                }
            });
        }
    }
    EXPECT_EQ(done.load(), 50);
    EXPECT_EQ(files_in(box / "new").size(), 50U);
}

TEST(GroupCommit, StagingFailureIsATemporaryFailureAndLeavesNothing) {
    TempDir root;
    GroupCommitter committer(Durability::durable);
    const auto box = ensure_account_maildir(root.path(), "alice");
    const DeliveryResult result =
        deliver_sync(committer, {{box, ""}, {root.path() / "missing", ""}}, "x");
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_NE(result.error.find("missing"), std::string::npos) << result.error;
    EXPECT_TRUE(files_in(box / "new").empty());
    EXPECT_TRUE(files_in(box / "tmp").empty());
}

TEST(GroupCommit, DiscardModeWritesNothing) {
    TempDir root;
    GroupCommitter committer(Durability::discard);
    const auto box = ensure_account_maildir(root.path(), "alice");
    const DeliveryResult result = deliver_sync(committer, {{box, ""}}, "x");
    EXPECT_EQ(result.status, DeliveryStatus::stored);
    EXPECT_TRUE(files_in(box / "new").empty());
    EXPECT_TRUE(files_in(box / "tmp").empty());
}

TEST(GroupCommit, UnsyncedModeStoresBeforeSubmitReturns) {
    TempDir root;
    GroupCommitter committer(Durability::unsynced);
    const auto alice = ensure_account_maildir(root.path(), "alice");
    const auto bob = ensure_account_maildir(root.path(), "bob");
    std::optional<DeliveryResult> result;
    committer.submit({{alice, ""}, {bob, ""}}, "Subject: x\r\n\r\nbody\r\n",
                     [&result](DeliveryResult done) { result = std::move(done); });
    ASSERT_TRUE(result) << "completed on the caller's thread, without a commit pass";
    ASSERT_EQ(result->status, DeliveryStatus::stored) << result->error;
    EXPECT_EQ(committer.passes(), 0U);
    for (const auto& box : {alice, bob}) {
        ASSERT_EQ(files_in(box / "new").size(), 1U);
        EXPECT_EQ(read_file(files_in(box / "new")[0]), "Subject: x\r\n\r\nbody\r\n");
        EXPECT_TRUE(files_in(box / "tmp").empty());
    }
    EXPECT_EQ(files_in(alice / "new")[0].filename(), result->id);

    const DeliveryResult failed =
        deliver_sync(committer, {{alice, ""}, {root.path() / "missing", ""}}, "x");
    EXPECT_EQ(failed.status, DeliveryStatus::temporary_failure);
    EXPECT_EQ(files_in(alice / "new").size(), 1U) << "nothing published when staging fails";
    EXPECT_TRUE(files_in(alice / "tmp").empty());
}

TEST(RelayQueue, QueueFileCarriesTheEnvelopeInCommandForm) {
    TempDir root;
    GroupCommitter committer(Durability::durable);
    MaildirRelayQueue queue(root.path() / ".relay-queue", committer);
    std::promise<DeliveryResult> promise;
    queue.enqueue("alice@example.test", {"x@elsewhere.test", "y@elsewhere.test"},
                  "Subject: s\r\n\r\nb\r\n",
                  [&promise](DeliveryResult r) { promise.set_value(std::move(r)); });
    ASSERT_EQ(promise.get_future().get().status, DeliveryStatus::stored);
    const auto files = files_in(queue.folder() / "new");
    ASSERT_EQ(files.size(), 1U);
    EXPECT_EQ(read_file(files[0]),
              "MAIL FROM:<alice@example.test>\r\nRCPT TO:<x@elsewhere.test>\r\n"
              "RCPT TO:<y@elsewhere.test>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n");
}

}  // namespace
}  // namespace mh::reference
