#pragma once
// A small, tolerant TwiML reader for the simulated caller, which runs TwiML
// verb by verb as Twilio does (docs/protocols.md 6). Reads elements,
// attributes (double or single quotes), text, self-closing tags, the XML
// declaration and comments; decodes the five predefined entities and
// numeric character references. Not a validating XML parser: it only has to
// read what a TwiML author writes.

#include "common/result.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::sim {

struct twiml_node {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text; ///< character data directly inside, decoded, trimmed
  std::vector<twiml_node> children;

  /// The attribute's value, or `fallback` when it is absent.
  std::string attribute(std::string_view n, std::string_view fallback = {}) const;
  bool has_attribute(std::string_view n) const;
  /// The first child named `n`, or nullptr.
  const twiml_node* child(std::string_view n) const;
};

/// The document's root element. Error {"bad_twiml", ...} when tags do not
/// nest, a tag is cut off, or the root is not <Response>.
result<twiml_node> read_twiml(std::string_view xml);

} // namespace sb::sim
