#include "harness/bench/message_factory.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "proto/smtp/data_framing.hpp"

namespace mh::harness::bench {

std::vector<SizeWeight> load_size_distribution(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in)
        throw std::invalid_argument(file.string() + ": cannot open the size distribution");
    std::vector<SizeWeight> out;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const std::string text = line.substr(0, line.find('#'));
        std::size_t pos = text.find_first_not_of(" \t\r");
        if (pos == std::string::npos)
            continue;
        auto fail = [&](std::size_t column, const std::string& what) {
            throw std::invalid_argument(
                fmt::format("{}:{}:{}: {}", file.string(), number, column + 1, what));
        };
        auto read_number = [&](std::uint64_t& value) {
            const std::size_t begin = pos;
            value = 0;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
                value = value * 10 + static_cast<std::uint64_t>(text[pos++] - '0');
            if (pos == begin)
                fail(begin, "expected a number, as in \"1024 5\" (size, weight)");
        };
        std::uint64_t size = 0, weight = 1;
        read_number(size);
        if (pos < text.size() && (text[pos] == 'k' || text[pos] == 'K'))
            size *= 1024, ++pos;
        else if (pos < text.size() && text[pos] == 'M')
            size *= 1024 * 1024, ++pos;
        pos = text.find_first_not_of(" \t\r", pos);
        if (pos == std::string::npos)
            fail(text.size(), "expected a weight after the size: \"SIZE WEIGHT\"");
        read_number(weight);
        if (text.find_first_not_of(" \t\r", pos) != std::string::npos)
            fail(pos, "unexpected text after \"SIZE WEIGHT\"");
        if (size == 0 || weight == 0)
            fail(0, "size and weight must be above 0");
        out.push_back({static_cast<std::size_t>(size), weight});
    }
    if (out.empty())
        throw std::invalid_argument(file.string() + ": no \"SIZE WEIGHT\" line");
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < length; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

namespace {

constexpr std::size_t kSequenceDigits = 20;

// Printable lines of 76 characters (never a leading dot), trimmed to `octets`, ending in CRLF.
std::string filler_body(std::size_t octets) {
    std::string body;
    body.reserve(octets + 80);
    for (std::size_t line = 0; body.size() < octets; ++line) {
        for (std::size_t i = 0; i < 76; ++i)
            body += static_cast<char>('a' + (line + i) % 26);
        body += "\r\n";
    }
    body.resize(std::max<std::size_t>(octets, 2));
    body.replace(body.size() - 2, 2, "\r\n");
    return body;
}

}  // namespace

MessageFactory::MessageFactory(std::vector<SizeWeight> sizes, std::string from, std::string to,
                               std::string run_id)
    : run_id_(std::move(run_id)) {
    std::uint64_t total = 0;
    for (const SizeWeight& sw : sizes) {
        std::string headers = fmt::format(
            "From: <{}>\r\nTo: <{}>\r\nSubject: mailharness bench\r\nMessage-ID: "
            "<bench@mailharness.test>\r\n",
            from, to);
        const std::size_t tag_at = headers.size();
        const std::size_t tag_length =
            tagged() ? kBenchHeader.size() + 2 + run_id_.size() + 1 + kSequenceDigits + 8 + 64 + 2
                     : 0;
        const std::size_t fixed = headers.size() + tag_length + 2;  // + the blank line
        const std::string body = filler_body(sw.size > fixed + 2 ? sw.size - fixed : 2);
        if (tagged())
            headers += fmt::format("{}: {} {:0{}} sha256={}\r\n", kBenchHeader, run_id_, 0,
                                   kSequenceDigits, sha256_hex(body));
        const std::string message = headers + "\r\n" + body;
        Template t{proto::smtp::frame_data(message), message.size(), 0};
        // The tag is in the headers, which no dot starts: its offset survives the framing.
        t.sequence_offset = tag_at + kBenchHeader.size() + 2 + run_id_.size() + 1;
        templates_.push_back(std::move(t));
        total += sw.weight;
        cumulative_weights_.push_back(total);
    }
}

const MessageFactory::Template& MessageFactory::pick(std::uint64_t sequence) const {
    if (templates_.size() == 1)
        return templates_.front();
    // A fixed mix of the sequence number (splitmix64): the same run sends the same sizes.
    std::uint64_t z = sequence + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    const std::uint64_t point = z % cumulative_weights_.back();
    const auto it = std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), point);
    return templates_[static_cast<std::size_t>(it - cumulative_weights_.begin())];
}

std::string_view MessageFactory::framed(std::uint64_t sequence, std::string& scratch,
                                        std::uint64_t& octets) const {
    const Template& t = pick(sequence);
    octets = t.octets;
    if (!tagged())
        return t.framed;
    scratch = t.framed;
    const std::string digits = fmt::format("{:0{}}", sequence, kSequenceDigits);
    scratch.replace(t.sequence_offset, kSequenceDigits, digits);
    return scratch;
}

}  // namespace mh::harness::bench
