#include "cli/interrupt.hpp"

#include <pthread.h>

#include <cstdio>
#include <cstdlib>

namespace mh::cli {

Interrupt::Interrupt(std::string on_stop) : on_stop_(std::move(on_stop)) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &old_mask_);
    watcher_ = std::thread([this] { watch(); });
}

Interrupt::~Interrupt() {
    finished_ = true;
    // Wakes the watcher's sigwait; with finished_ set it is not taken as a stop request.
    pthread_kill(watcher_.native_handle(), SIGTERM);
    watcher_.join();
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void Interrupt::watch() {
    for (;;) {
        int received = 0;
        if (sigwait(&signals_, &received) != 0 || finished_) {
            return;
        }
        const char* name = received == SIGINT ? "SIGINT" : "SIGTERM";
        if (signal_ != 0) {
            std::fprintf(stderr, "\nmailharness: second %s: quitting without reports\n", name);
            std::_Exit(128 + received);
        }
        signal_ = received;
        std::fprintf(stderr,
                     "\nmailharness: %s: %s; partial reports follow (again to quit at once)\n",
                     name, on_stop_.c_str());
        stop_.request_stop();
    }
}

}  // namespace mh::cli
