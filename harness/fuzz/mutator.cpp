#include "harness/fuzz/mutator.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace mh::harness::fuzz {

namespace {

constexpr std::size_t max_conversation_bytes = 256u << 10;
constexpr std::size_t max_turns = 64;

bool is_smtp(const Conversation& c) {
    return c.protocol == scenario::Protocol::smtp;
}

std::size_t total_bytes(const Conversation& c) {
    std::size_t total = 0;
    for (const Turn& turn : c.turns) {
        total += turn.bytes.size();
    }
    return total;
}

bool starts_with_verb(std::string_view line, std::string_view verb) {
    if (line.size() < verb.size()) {
        return false;
    }
    for (std::size_t i = 0; i < verb.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(line[i])) != verb[i]) {
            return false;
        }
    }
    return true;
}

// Where a line of `bytes` starts and how long it is without its CRLF.
struct LineSpan {
    std::size_t begin = 0;
    std::size_t length = 0;
};

std::vector<LineSpan> lines_of(const std::string& bytes) {
    std::vector<LineSpan> out;
    std::size_t begin = 0;
    while (begin < bytes.size()) {
        std::size_t end = bytes.find("\r\n", begin);
        if (end == std::string::npos) {
            out.push_back({begin, bytes.size() - begin});
            break;
        }
        out.push_back({begin, end - begin});
        begin = end + 2;
    }
    return out;
}

// Turns (and lines in them) that start with one of `verbs`.
struct LineRef {
    std::size_t turn = 0;
    LineSpan span;
};

std::vector<LineRef> find_lines(const Conversation& c,
                                std::initializer_list<std::string_view> verbs) {
    std::vector<LineRef> out;
    for (std::size_t t = 0; t < c.turns.size(); ++t) {
        const std::string& bytes = c.turns[t].bytes;
        for (const LineSpan& span : lines_of(bytes)) {
            const std::string_view line(bytes.data() + span.begin, span.length);
            for (std::string_view verb : verbs) {
                if (starts_with_verb(line, verb)) {
                    out.push_back({t, span});
                    break;
                }
            }
            if (out.size() > 256) {
                return out;
            }
        }
    }
    return out;
}

// A turn ending in the DATA terminator CRLF.CRLF (a `data:` payload).
std::vector<std::size_t> data_turns(const Conversation& c) {
    std::vector<std::size_t> out;
    for (std::size_t t = 0; t < c.turns.size(); ++t) {
        if (c.turns[t].bytes.ends_with("\r\n.\r\n")) {
            out.push_back(t);
        }
    }
    return out;
}

std::string line_text(const Conversation& c, const LineRef& ref) {
    return c.turns[ref.turn].bytes.substr(ref.span.begin, ref.span.length);
}

void replace_line(Conversation& c, const LineRef& ref, const std::string& text) {
    c.turns[ref.turn].bytes.replace(ref.span.begin, ref.span.length, text);
    c.turns[ref.turn].cuts.clear();
}

}  // namespace

Conversation Mutator::mutate(const Conversation& parent, const std::vector<Conversation>& donors) {
    for (int attempt = 0; attempt < 8; ++attempt) {
        Conversation child = parent;
        const std::size_t count = 1 + pick(3);
        std::string names;
        for (std::size_t i = 0; i < count; ++i) {
            std::string name;
            if (apply_one(child, donors, name)) {
                names += "+" + name;
            }
        }
        if (!names.empty() && !child.turns.empty() &&
            total_bytes(child) <= max_conversation_bytes && child.turns.size() <= max_turns) {
            child.origin = parent.origin.substr(0, parent.origin.find('+')) + names;
            return child;
        }
    }
    return parent;
}

bool Mutator::apply_one(Conversation& c, const std::vector<Conversation>& donors,
                        std::string& name) {
    // Weighted: the grammar-aware operators first, random byte flips rarely.
    static constexpr std::array<const char*, 16> names = {
        "eod-variant",  "eod-variant", "bare-line-end", "overlong", "case-space", "parameters",
        "reorder",      "flood",       "tls-inject",    "base64",   "bdat-size",  "pop3-number",
        "segmentation", "early-close", "splice",        "flip"};
    const std::size_t which = pick(names.size());
    name = names[which];
    switch (which) {
        case 0:
        case 1:
            return end_of_data_variant(c);
        case 2:
            return bare_line_end(c);
        case 3:
            return overlong(c);
        case 4:
            return case_and_space(c);
        case 5:
            return parameters(c);
        case 6:
            return reorder(c);
        case 7:
            return flood(c);
        case 8:
            return inject_after_starttls(c);
        case 9:
            return damage_base64(c);
        case 10:
            return bdat_mismatch(c);
        case 11:
            return pop3_numbers(c);
        case 12:
            return segmentation(c);
        case 13:
            return early_close(c);
        case 14:
            return splice(c, donors);
        default:
            return flip_bytes(c);
    }
}

// RFC 5321 4.1.4 / 2.3.8: only CRLF.CRLF ends the data; these near-misses must stay content.
bool Mutator::end_of_data_variant(Conversation& c) {
    const auto turns = data_turns(c);
    if (!is_smtp(c) || turns.empty()) {
        return false;
    }
    static constexpr std::array<std::string_view, 10> variants = {
        "\n.\n",   "\n.\r\n", "\r.\r",   "\r\n.\r", std::string_view("\r\n\0.\r\n", 7),
        "\r.\r\n", "\n.\r",   "\r\n.\n", ".\n",     "\r\n.\r\r\n"};
    std::string injected(variants[pick(variants.size())]);
    if (chance(80)) {
        // A whole second transaction, pipelined: what a smuggling attack sends.
        const auto mail = find_lines(c, {"MAIL FROM"});
        const auto rcpt = find_lines(c, {"RCPT TO"});
        injected += (mail.empty() ? "MAIL FROM:<fuzz@example.test>" : line_text(c, mail[0])) +
                    "\r\n" + (rcpt.empty() ? "RCPT TO:<postmaster>" : line_text(c, rcpt[0])) +
                    "\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n";
    }
    std::string& bytes = c.turns[turns[pick(turns.size())]].bytes;
    bytes.insert(bytes.size() - (chance(50) ? 3 : 5), injected);
    return true;
}

bool Mutator::bare_line_end(Conversation& c) {
    Turn& turn = c.turns[pick(c.turns.size())];
    static constexpr std::array<std::string_view, 4> bytes = {"\r", "\n", std::string_view("\0", 1),
                                                              "\r\r\n"};
    const std::size_t crlf = turn.bytes.find("\r\n", pick(turn.bytes.size() + 1));
    if (crlf != std::string::npos && chance(50)) {
        turn.bytes.replace(crlf, 2, chance(50) ? "\n" : "\r");  // the line end itself goes bare
    } else {
        turn.bytes.insert(pick(turn.bytes.size() + 1), bytes[pick(bytes.size())]);
    }
    turn.cuts.clear();
    return true;
}

// RFC 5321 4.5.3.1: local part 64, domain 255, path 256, command line 512, text line 1000
// octets; RFC 2449 4: POP3 command line 255 octets, arguments 40.
bool Mutator::overlong(Conversation& c) {
    const auto lines = find_lines(c, {""});
    if (lines.empty()) {
        return false;
    }
    const LineRef ref = lines[pick(lines.size())];
    std::string line = line_text(c, ref);
    static constexpr std::array<long, 4> deltas = {-1, 0, 1, 2};
    const long delta = chance(80) ? deltas[pick(deltas.size())] : static_cast<long>(pick(4096));
    const std::size_t open = line.find('<');
    const std::size_t at = line.find('@', open == std::string::npos ? 0 : open);
    const std::size_t close = line.find('>', at == std::string::npos ? 0 : at);
    const auto pad_to = [&](std::size_t begin, std::size_t end, std::size_t limit) {
        const auto target =
            static_cast<std::size_t>(std::max(1L, static_cast<long>(limit) + delta));
        const std::size_t current = end - begin;
        if (target > current) {
            line.insert(end, target - current, 'a');
        } else {
            line.erase(begin + target, current - target);
        }
    };
    const std::size_t choice = pick(3);
    if (is_smtp(c) && choice == 0 && open != std::string::npos && at != std::string::npos) {
        pad_to(open + 1, at, 64);  // local part
    } else if (is_smtp(c) && choice == 1 && at != std::string::npos && close != std::string::npos) {
        pad_to(at + 1, close, chance(50) ? 255 : 256 - (at - open));  // domain, or the whole path
    } else {
        static constexpr std::array<std::size_t, 3> smtp_lines = {512, 1000, 4096};
        static constexpr std::array<std::size_t, 3> pop3_lines = {255, 257, 512};
        const std::size_t limit =
            (is_smtp(c) ? smtp_lines : pop3_lines)[pick(smtp_lines.size())] - 2;  // CRLF
        const std::size_t space = line.find(' ');
        if (!is_smtp(c) && space != std::string::npos && chance(30)) {
            const std::size_t arg_end = std::min(line.size(), line.find(' ', space + 1));
            const auto target = static_cast<std::size_t>(std::max(1L, 40L + delta));
            if (target > arg_end - space - 1) {
                line.insert(arg_end, target - (arg_end - space - 1), '9');
            }
        } else {
            pad_to(0, line.size(), limit);
        }
    }
    replace_line(c, ref, line);
    return true;
}

bool Mutator::case_and_space(Conversation& c) {
    const auto lines = find_lines(c, {""});
    if (lines.empty()) {
        return false;
    }
    const LineRef ref = lines[pick(lines.size())];
    std::string line = line_text(c, ref);
    const std::size_t space = std::min(line.find(' '), line.size());
    switch (pick(6)) {
        case 0:
            std::transform(line.begin(), line.begin() + static_cast<long>(space), line.begin(),
                           [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
            break;
        case 1:
            for (std::size_t i = 0; i < space; i += 2) {
                line[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i])));
            }
            break;
        case 2:
            line.insert(space, chance(50) ? "  " : "\t");
            break;
        case 3:
            line += chance(50) ? " " : "   \t";
            break;
        case 4: {
            const std::size_t colon = line.find(':');
            line.insert(colon == std::string::npos ? space : colon, " ");
            break;
        }
        default:
            line.insert(0, " ");
            break;
    }
    replace_line(c, ref, line);
    return true;
}

bool Mutator::parameters(Conversation& c) {
    const auto lines = find_lines(c, {""});
    if (lines.empty()) {
        return false;
    }
    const LineRef ref = lines[pick(lines.size())];
    static constexpr std::array<const char*, 9> smtp = {
        " SIZE=1 SIZE=2", " X-FUZZ=1", " BODY=8BITMIME BODY=7BIT",   " SMTPUTF8 SMTPUTF8",
        " NOTIFY=NEVER",  " AUTH=<>",  " SIZE=99999999999999999999", " =",
        " fuzz"};
    static constexpr std::array<const char*, 5> pop3 = {" 1", " 1 2", " x", " 1 1 1", " -"};
    const std::string extra = is_smtp(c) ? smtp[pick(smtp.size())] : pop3[pick(pop3.size())];
    std::string line = line_text(c, ref);
    const std::size_t times = chance(20) ? 2 + pick(30) : 1;
    for (std::size_t i = 0; i < times; ++i) {
        line += extra;
    }
    replace_line(c, ref, line);
    return true;
}

bool Mutator::reorder(Conversation& c) {
    const std::size_t n = c.turns.size();
    const std::size_t a = pick(n);
    const std::size_t b = pick(n);
    switch (pick(4)) {
        case 0:
            std::swap(c.turns[a], c.turns[b]);
            return a != b;
        case 1:
            c.turns.insert(c.turns.begin() + static_cast<long>(b), c.turns[a]);
            return true;
        case 2:
            if (n < 2) {
                return false;
            }
            c.turns.erase(c.turns.begin() + static_cast<long>(a));
            return true;
        default: {
            // A command out of its place: RSET, DATA, MAIL or QUIT-less RCPT early.
            static constexpr std::array<const char*, 6> smtp = {"DATA\r\n",
                                                                "RSET\r\n",
                                                                "RCPT TO:<postmaster>\r\n",
                                                                "MAIL FROM:<>\r\n",
                                                                "EHLO again.example.test\r\n",
                                                                "AUTH PLAIN\r\n"};
            static constexpr std::array<const char*, 6> pop3 = {
                "STAT\r\n", "RSET\r\n", "DELE 1\r\n", "PASS x\r\n", "APOP a b\r\n", "UIDL\r\n"};
            const std::string line = is_smtp(c) ? smtp[pick(smtp.size())] : pop3[pick(pop3.size())];
            c.turns.insert(c.turns.begin() + static_cast<long>(b),
                           Turn{Turn::Kind::send, line, {}});
            return true;
        }
    }
}

bool Mutator::flood(Conversation& c) {
    const auto lines = find_lines(c, {""});
    if (lines.empty()) {
        return false;
    }
    const LineRef ref = lines[pick(lines.size())];
    const std::string line = line_text(c, ref) + "\r\n";
    static constexpr std::array<std::size_t, 4> counts = {2, 10, 100, 1000};
    const std::size_t count = std::min(counts[pick(counts.size())], (32u << 10) / line.size() + 1);
    std::string flood;
    for (std::size_t i = 0; i < count; ++i) {
        flood += line;
    }
    c.turns.insert(c.turns.begin() + static_cast<long>(ref.turn) + 1,
                   Turn{Turn::Kind::send, std::move(flood), {}});
    return true;
}

// RFC 3207 4.2 / RFC 2595 4: commands sent with STARTTLS / STLS in plaintext must be dropped.
bool Mutator::inject_after_starttls(Conversation& c) {
    std::vector<std::size_t> tls;
    for (std::size_t t = 0; t < c.turns.size(); ++t) {
        if (c.turns[t].kind == Turn::Kind::starttls) {
            tls.push_back(t);
        }
    }
    if (tls.empty()) {
        return false;
    }
    static constexpr std::array<const char*, 4> smtp = {
        "NOOP\r\n", "EHLO injected.example.test\r\n", "MAIL FROM:<injected@example.test>\r\n",
        "RSET\r\nNOOP\r\n"};
    static constexpr std::array<const char*, 3> pop3 = {"CAPA\r\n", "NOOP\r\n", "USER x\r\n"};
    c.turns[tls[pick(tls.size())]].bytes +=
        is_smtp(c) ? smtp[pick(smtp.size())] : pop3[pick(pop3.size())];
    return true;
}

bool Mutator::damage_base64(Conversation& c) {
    auto lines = find_lines(c, {"AUTH "});
    if (lines.empty()) {
        return false;
    }
    const LineRef ref = lines[pick(lines.size())];
    std::string line = line_text(c, ref);
    const std::size_t last_space = line.rfind(' ');
    std::string token = line.substr(last_space + 1);
    std::string head = line.substr(0, last_space + 1);
    switch (pick(7)) {
        case 0:
            token.erase(std::remove(token.begin(), token.end(), '='), token.end());
            break;
        case 1:
            token.insert(pick(token.size() + 1), "=");
            break;
        case 2:
            token.insert(pick(token.size() + 1), chance(50) ? "*" : "!");
            break;
        case 3:
            token = token.substr(0, pick(token.size() + 1));
            break;
        case 4:
            token = chance(50) ? "=" : "*";
            break;
        case 5:
            token.assign(4 * (1 + pick(3000)), 'A');
            break;
        default:
            token += " " + token;
            break;
    }
    replace_line(c, ref, head + token);
    return true;
}

// RFC 3030 2: BDAT n takes exactly n octets, whatever they look like.
bool Mutator::bdat_mismatch(Conversation& c) {
    if (!is_smtp(c)) {
        return false;
    }
    const auto rcpt = find_lines(c, {"RCPT TO"});
    const std::size_t at = rcpt.empty() ? pick(c.turns.size()) : rcpt[pick(rcpt.size())].turn + 1;
    const std::string body = "Subject: chunk\r\n\r\nchunk body\r\n";
    static constexpr std::array<long, 6> deltas = {-1, 1, -5, 0, 100, 0};
    const std::size_t kind = pick(deltas.size() + 2);
    std::string size;
    if (kind == deltas.size()) {
        size = "4294967296";
    } else if (kind == deltas.size() + 1) {
        size = chance(50) ? "-1" : "0";
    } else {
        size = std::to_string(static_cast<long>(body.size()) + deltas[kind]);
    }
    std::string bytes = "BDAT " + size + (chance(70) ? " LAST" : "") + "\r\n" + body;
    if (chance(50)) {
        bytes += "NOOP\r\n";  // a pipelined command right behind the chunk
    }
    c.turns.insert(c.turns.begin() + static_cast<long>(std::min(at, c.turns.size())),
                   Turn{Turn::Kind::send, std::move(bytes), {}});
    return true;
}

// RFC 1939 5: message numbers are 1-based and must exist; 4772185884 overflows 32 bits.
bool Mutator::pop3_numbers(Conversation& c) {
    if (is_smtp(c)) {
        return false;
    }
    static constexpr std::array<const char*, 6> numbers = {
        "0", "-1", "4772185884", "00001", "18446744073709551617", "1x"};
    const std::string number = numbers[pick(numbers.size())];
    auto lines = find_lines(c, {"RETR", "DELE", "LIST", "TOP", "UIDL"});
    if (lines.empty() || chance(30)) {
        static constexpr std::array<const char*, 5> verbs = {"RETR ", "DELE ", "LIST ", "TOP ",
                                                             "UIDL "};
        const std::string verb = verbs[pick(verbs.size())];
        c.turns.insert(
            c.turns.begin() + static_cast<long>(pick(c.turns.size() + 1)),
            Turn{Turn::Kind::send, verb + number + (verb == "TOP " ? " 0" : "") + "\r\n", {}});
        return true;
    }
    const LineRef ref = lines[pick(lines.size())];
    std::string line = line_text(c, ref);
    const std::size_t space = line.find(' ');
    line = (space == std::string::npos ? line : line.substr(0, space)) + " " + number;
    replace_line(c, ref, line);
    return true;
}

bool Mutator::segmentation(Conversation& c) {
    const std::size_t t = pick(c.turns.size());
    Turn& turn = c.turns[t];
    if (chance(30) && t + 1 < c.turns.size() && c.turns[t + 1].kind == Turn::Kind::send &&
        turn.kind == Turn::Kind::send) {
        turn.bytes += c.turns[t + 1].bytes;  // coalesce two writes into one
        turn.cuts.clear();
        c.turns.erase(c.turns.begin() + static_cast<long>(t) + 1);
        return true;
    }
    if (turn.bytes.size() < 2) {
        return false;
    }
    turn.cuts.clear();
    if (turn.bytes.size() <= 64 && chance(50)) {
        for (std::size_t i = 1; i < turn.bytes.size(); ++i) {
            turn.cuts.push_back(i);  // one byte per write
        }
    } else {
        for (std::size_t i = 0, n = 1 + pick(3); i < n; ++i) {
            turn.cuts.push_back(1 + pick(turn.bytes.size() - 1));
        }
        std::sort(turn.cuts.begin(), turn.cuts.end());
    }
    return true;
}

bool Mutator::early_close(Conversation& c) {
    c.turns.resize(1 + pick(c.turns.size()));
    if (chance(50)) {
        Turn& last = c.turns.back();
        last.bytes.resize(pick(last.bytes.size() + 1));  // mid-line
        last.cuts.clear();
    }
    c.close_early = true;
    return true;
}

// Donors of the same account only: a donor's turns may log in (USER / PASS), and POP3
// conversations under way at once must log in as different accounts (the maildrop lock).
bool Mutator::splice(Conversation& c, const std::vector<Conversation>& donors) {
    const auto fits = [&](const Conversation& donor) {
        return donor.protocol == c.protocol && donor.account == c.account && !donor.turns.empty();
    };
    const auto fitting =
        static_cast<std::size_t>(std::count_if(donors.begin(), donors.end(), fits));
    if (fitting == 0) {
        return false;
    }
    std::size_t skip = pick(fitting);
    const auto chosen = std::find_if(donors.begin(), donors.end(), [&](const Conversation& donor) {
        return fits(donor) && skip-- == 0;
    });
    const Conversation& donor = *chosen;
    const std::size_t from = pick(donor.turns.size());
    const std::size_t to = from + 1 + pick(donor.turns.size() - from);
    c.turns.insert(c.turns.begin() + static_cast<long>(pick(c.turns.size() + 1)),
                   donor.turns.begin() + static_cast<long>(from),
                   donor.turns.begin() + static_cast<long>(to));
    return true;
}

bool Mutator::flip_bytes(Conversation& c) {
    Turn& turn = c.turns[pick(c.turns.size())];
    if (turn.bytes.empty()) {
        return false;
    }
    for (std::size_t i = 0, n = 1 + pick(4); i < n; ++i) {
        turn.bytes[pick(turn.bytes.size())] = static_cast<char>(pick(256));
    }
    return true;
}

}  // namespace mh::harness::fuzz
