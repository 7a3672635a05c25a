#pragma once
// A minimal XML reader for TwiML tests: elements, attributes, text, the five
// predefined entities and an optional <?xml ...?> declaration. Enough to
// check the structure of documents we generate, and strict: anything it does
// not understand is a parse failure, so a malformed document fails the test.

#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::test {

struct xml_element {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<xml_element> children;
  std::string text; ///< concatenated character data, entities decoded

  std::optional<std::string> attribute(std::string_view n) const {
    for (const auto& [k, v] : attributes)
      if (k == n)
        return v;
    return std::nullopt;
  }
};

class mini_xml {
public:
  /// The root element, or nullopt (with error()) when `doc` is not well formed.
  static std::optional<xml_element> parse(std::string_view doc, std::string* error = nullptr) {
    mini_xml p(doc);
    std::optional<xml_element> root;
    if (p.declaration() && (root = p.element()) && (p.skip_space(), p.pos_ == doc.size()))
      return root;
    if (error)
      *error = p.error_.empty() ? "trailing content at " + std::to_string(p.pos_) : p.error_;
    return std::nullopt;
  }

private:
  explicit mini_xml(std::string_view d) : d_(d) {}

  bool fail(std::string what) {
    if (error_.empty())
      error_ = what + " at offset " + std::to_string(pos_);
    return false;
  }
  void skip_space() {
    while (pos_ < d_.size() &&
           (d_[pos_] == ' ' || d_[pos_] == '\n' || d_[pos_] == '\t' || d_[pos_] == '\r'))
      ++pos_;
  }
  bool eat(std::string_view s) {
    if (d_.substr(pos_, s.size()) != s)
      return false;
    pos_ += s.size();
    return true;
  }
  bool declaration() {
    if (!eat("<?xml"))
      return true;
    std::size_t end = d_.find("?>", pos_);
    if (end == std::string_view::npos)
      return fail("unterminated declaration");
    pos_ = end + 2;
    return true;
  }
  std::string name() {
    std::size_t start = pos_;
    while (pos_ < d_.size() &&
           (std::isalnum(static_cast<unsigned char>(d_[pos_])) || d_[pos_] == '_' ||
            d_[pos_] == '-' || d_[pos_] == ':' || d_[pos_] == '.'))
      ++pos_;
    return std::string(d_.substr(start, pos_ - start));
  }
  bool decode(std::string_view raw, std::string& out) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '<')
        return fail("raw '<' in text");
      if (raw[i] != '&') {
        out.push_back(raw[i]);
        continue;
      }
      std::size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos)
        return fail("unterminated entity");
      std::string_view ent = raw.substr(i + 1, semi - i - 1);
      if (ent == "amp")
        out.push_back('&');
      else if (ent == "lt")
        out.push_back('<');
      else if (ent == "gt")
        out.push_back('>');
      else if (ent == "quot")
        out.push_back('"');
      else if (ent == "apos")
        out.push_back('\'');
      else
        return fail("unknown entity &" + std::string(ent) + ";");
      i = semi;
    }
    return true;
  }
  std::optional<xml_element> element() {
    skip_space();
    if (!eat("<"))
      return fail("expected '<'"), std::nullopt;
    xml_element e;
    e.name = name();
    if (e.name.empty())
      return fail("expected element name"), std::nullopt;
    for (;;) {
      skip_space();
      if (eat("/>"))
        return e;
      if (eat(">"))
        break;
      std::string attr = name();
      if (attr.empty() || !eat("=\""))
        return fail("bad attribute in <" + e.name + ">"), std::nullopt;
      std::size_t end = d_.find('"', pos_);
      if (end == std::string_view::npos)
        return fail("unterminated attribute"), std::nullopt;
      std::string value;
      if (!decode(d_.substr(pos_, end - pos_), value))
        return std::nullopt;
      if (e.attribute(attr))
        return fail("duplicate attribute " + attr), std::nullopt;
      e.attributes.emplace_back(std::move(attr), std::move(value));
      pos_ = end + 1;
    }
    for (;;) {
      std::size_t lt = d_.find('<', pos_);
      if (lt == std::string_view::npos)
        return fail("unterminated <" + e.name + ">"), std::nullopt;
      if (!decode(d_.substr(pos_, lt - pos_), e.text))
        return std::nullopt;
      pos_ = lt;
      if (eat("</")) {
        if (name() != e.name || !eat(">"))
          return fail("mismatched close of <" + e.name + ">"), std::nullopt;
        return e;
      }
      auto child = element();
      if (!child)
        return std::nullopt;
      e.children.push_back(std::move(*child));
    }
  }

  std::string_view d_;
  std::size_t pos_ = 0;
  std::string error_;
};

} // namespace sb::test
