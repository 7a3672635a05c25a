// The simulated caller's TwiML reader (see twiml_reader.hpp): a recursive
// descent over the few XML shapes TwiML uses.

#include "sim/twiml_reader.hpp"

#include <cctype>
#include <cstdint>

namespace sb::sim {

namespace {

bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':' ||
         c == '.';
}

std::string trim(std::string s) {
  std::size_t b = 0, e = s.size();
  while (b < e && space(s[b]))
    ++b;
  while (e > b && space(s[e - 1]))
    --e;
  return s.substr(b, e - b);
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// One entity's text ("amp", "#39", "#x27") decoded; false if unknown.
bool decode_entity(std::string_view ent, std::string& out) {
  static constexpr std::pair<std::string_view, char> named[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
  for (auto [n, c] : named)
    if (ent == n) {
      out += c;
      return true;
    }
  if (ent.size() < 2 || ent[0] != '#')
    return false;
  const bool hex = ent[1] == 'x' || ent[1] == 'X';
  uint32_t cp = 0;
  std::string_view digits = ent.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 6)
    return false;
  for (char c : digits) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : hex && std::isxdigit(static_cast<unsigned char>(c))
                ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                : -1;
    if (d < 0)
      return false;
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
  }
  if (cp == 0 || cp > 0x10FFFF)
    return false;
  append_utf8(out, cp);
  return true;
}

/// Decodes entities; an unknown one is kept as written (tolerant).
std::string decode(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::size_t semi = raw[i] == '&' ? raw.find(';', i) : std::string_view::npos;
    if (semi != std::string_view::npos && semi - i <= 10 &&
        decode_entity(raw.substr(i + 1, semi - i - 1), out)) {
      i = semi;
      continue;
    }
    out += raw[i];
  }
  return out;
}

class reader {
public:
  explicit reader(std::string_view d) : d_(d) {}

  result<twiml_node> document() {
    skip_misc();
    twiml_node root;
    if (!element(root))
      return error{"bad_twiml", error_};
    skip_misc();
    if (pos_ != d_.size())
      return error{"bad_twiml", "content after the root element at offset " + std::to_string(pos_)};
    if (root.name != "Response")
      return error{"bad_twiml", "the root element is <" + root.name + ">, not <Response>"};
    return root;
  }

private:
  bool fail(const std::string& what) {
    error_ = what + " at offset " + std::to_string(pos_);
    return false;
  }
  bool eat(std::string_view s) {
    if (d_.substr(pos_, s.size()) != s)
      return false;
    pos_ += s.size();
    return true;
  }
  void skip_space() {
    while (pos_ < d_.size() && space(d_[pos_]))
      ++pos_;
  }
  /// Whitespace, the XML declaration or processing instructions, comments.
  void skip_misc() {
    for (;;) {
      skip_space();
      std::string_view end = eat("<?") ? "?>" : eat("<!--") ? "-->" : "";
      if (end.empty())
        return;
      std::size_t e = d_.find(end, pos_);
      pos_ = e == std::string_view::npos ? d_.size() : e + end.size();
    }
  }
  std::string name() {
    std::size_t start = pos_;
    while (pos_ < d_.size() && name_char(d_[pos_]))
      ++pos_;
    return std::string(d_.substr(start, pos_ - start));
  }
  bool attribute(twiml_node& e) {
    std::string n = name();
    skip_space();
    if (n.empty() || !eat("="))
      return fail("bad attribute in <" + e.name + ">");
    skip_space();
    if (pos_ >= d_.size() || (d_[pos_] != '"' && d_[pos_] != '\''))
      return fail("unquoted attribute " + n);
    std::size_t end = d_.find(d_[pos_], pos_ + 1);
    if (end == std::string_view::npos)
      return fail("unterminated attribute " + n);
    e.attributes.emplace_back(std::move(n), decode(d_.substr(pos_ + 1, end - pos_ - 1)));
    pos_ = end + 1;
    return true;
  }
  bool element(twiml_node& e) {
    if (!eat("<"))
      return fail("expected '<'");
    e.name = name();
    if (e.name.empty())
      return fail("expected an element name");
    for (;;) {
      skip_space();
      if (eat("/>"))
        return true;
      if (eat(">"))
        break;
      if (pos_ >= d_.size())
        return fail("unterminated <" + e.name + ">");
      if (!attribute(e))
        return false;
    }
    return content(e);
  }
  bool content(twiml_node& e) {
    std::string raw;
    for (;;) {
      std::size_t lt = d_.find('<', pos_);
      if (lt == std::string_view::npos)
        return fail("unterminated <" + e.name + ">");
      raw += d_.substr(pos_, lt - pos_);
      pos_ = lt;
      if (eat("<!--")) {
        std::size_t end = d_.find("-->", pos_);
        pos_ = end == std::string_view::npos ? d_.size() : end + 3;
        continue;
      }
      if (eat("</")) {
        if (name() != e.name || (skip_space(), !eat(">")))
          return fail("mismatched close of <" + e.name + ">");
        e.text = trim(decode(raw));
        return true;
      }
      twiml_node child;
      if (!element(child))
        return false;
      e.children.push_back(std::move(child));
    }
  }

  std::string_view d_;
  std::size_t pos_ = 0;
  std::string error_;
};

} // namespace

std::string twiml_node::attribute(std::string_view n, std::string_view fallback) const {
  for (const auto& [k, v] : attributes)
    if (k == n)
      return v;
  return std::string(fallback);
}

bool twiml_node::has_attribute(std::string_view n) const {
  for (const auto& a : attributes)
    if (a.first == n)
      return true;
  return false;
}

const twiml_node* twiml_node::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n)
      return &c;
  return nullptr;
}

result<twiml_node> read_twiml(std::string_view xml) {
  return reader(xml).document();
}

} // namespace sb::sim
