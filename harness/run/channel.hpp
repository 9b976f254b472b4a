#pragma once
// One conversation with the server under test: a connection, the lenient parser of its
// protocol, and the case's transcript. Reads whole replies (SMTP) or responses (POP3), each
// bounded by a wait and by a byte limit (a server that sends endlessly is cut off).

#include <deque>
#include <string>
#include <string_view>

#include "harness/run/observation.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/target.hpp"
#include "harness/transport/connection.hpp"
#include "harness/transport/transcript.hpp"

namespace mh::harness::run {

struct ChannelLimits {
    std::size_t smtp_reply_bytes = 1u << 20;  // one reply, on the wire
    std::size_t pop3_response_bytes = 128u << 20;
    std::size_t transcript_body_lines = 40;  // POP3 body lines copied into the transcript
};

// Whether a POP3 command line is answered with a multi-line +OK response (RFC 1939, RFC 2449):
// CAPA, LIST / UIDL / AUTH without argument, RETR, TOP.
bool pop3_command_has_body(std::string_view line);

// Cuts what a POP3 client sends into command lines at LF, as the server does, across writes (a
// command split over two writes is still one command), and notes for every whole line whether
// its answer is multi-line. Memory stays bounded: only what decides that is kept of a line.
class Pop3CommandLines {
  public:
    // Appends one entry to `bodies` per line these bytes complete.
    void put(std::string_view bytes, std::deque<bool>& bodies);
    // Forgets the unfinished line (plaintext before a TLS handshake).
    void clear() { line_.clear(); }

  private:
    std::string line_;  // the unfinished line's start, runs of spaces kept as one
};

// The receiving half of a channel, without the I/O: the lenient parser of the protocol, what
// was received and not yet parsed, and the transcript. Channel drives it over a blocking
// connection; the network fuzzer drives it over an asynchronous one, so both read alike.
class MessageReader {
  public:
    MessageReader(scenario::Protocol protocol, transport::TranscriptRecorder& transcript,
                  std::string name, ChannelLimits limits);

    scenario::Protocol protocol() const { return protocol_; }
    const std::string& name() const { return name_; }

    // Records bytes about to be sent. For POP3, notes which commands have a multi-line answer.
    void sent(std::string_view bytes);
    // An observation for a wait that starts now.
    Observation begin() const;
    // Parses what was received: true when `observation` is complete (a whole message, an
    // overflow, or the end of the connection); false when more bytes are needed. `body` as
    // for Channel::observe.
    bool next(Observation& observation, std::optional<bool> body,
              transport::Clock::time_point start);
    // Where reads append.
    std::string& inbox() { return buffer_; }
    // What a read returned; false when the wait is over (`observation` is then a timeout).
    bool received(transport::Connection::ReadStatus status, Observation& observation,
                  transport::Clock::time_point start);
    // Before a TLS handshake: plaintext received so far is discarded and noted.
    void tls_starting();
    void tls_established() { transcript_.note("TLS established", name_); }
    void closed() { closed_ = true; }

    const std::string& last_text() const { return last_text_; }
    const std::string& greeting() const { return greeting_; }

  private:
    Observation finish_message(Observation observation);
    std::size_t feed(std::string_view bytes);
    bool message_complete() const;
    void remember_unfinished(std::string_view bytes);
    std::string unfinished() const;  // escaped

    scenario::Protocol protocol_;
    transport::TranscriptRecorder& transcript_;
    std::string name_;  // "" for the default connection
    ChannelLimits limits_;
    proto::smtp::ReplyParser reply_parser_;
    proto::pop3::ResponseParser response_parser_;
    Pop3CommandLines command_lines_;   // POP3: what was sent, cut into commands
    std::deque<bool> pending_bodies_;  // POP3: one per command sent and not yet answered
    std::string buffer_;               // received, not yet parsed
    // The first bytes of the message being received, escaped only when an observation
    // shows them (a cut-off, close or timeout): most messages finish.
    std::string unfinished_;
    std::string last_text_;
    std::string greeting_;
    std::size_t message_bytes_ = 0;  // wire bytes of the message being received
    bool message_started_ = false;
    bool closed_ = false;
    bool reset_ = false;  // closed by a TCP reset
    bool greeted_ = false;
};

class Channel {
  public:
    // `stop` cancels whatever the channel waits for (transport::TransportError, Kind::stopped).
    Channel(scenario::Protocol protocol, transport::TlsSettings tls,
            transport::TranscriptRecorder& transcript, std::string name, ChannelLimits limits = {},
            std::stop_token stop = {});

    scenario::Protocol protocol() const { return reader_.protocol(); }
    const std::string& name() const { return reader_.name(); }

    // Throws transport::TransportError.
    void open(const scenario::Endpoint& endpoint, transport::Deadline deadline);
    // Writes and records the bytes. For POP3, notes which commands have a multi-line answer.
    void send(std::string_view bytes, transport::Deadline deadline);
    // Waits up to `wait` for one whole reply / response. `body` overrides whether a POP3 +OK
    // answer carries a body (else the command that was sent decides).
    Observation observe(scenario::Duration wait, std::optional<bool> body = std::nullopt);
    // The TLS handshake (after STARTTLS / STLS was answered); plaintext that arrived before it
    // is discarded and noted. Throws transport::TransportError.
    void handshake(transport::Deadline deadline);

    // Text of the last reply / response (raw lines, "\n"-joined) for `capture:`.
    const std::string& last_text() const { return reader_.last_text(); }
    // The first POP3 status line's text (APOP takes its timestamp from it).
    const std::string& greeting() const { return reader_.greeting(); }
    void close();

  private:
    transport::Connection connection_;
    transport::TranscriptRecorder& transcript_;
    MessageReader reader_;
};

}  // namespace mh::harness::run
