// X-Twilio-Signature, computed and checked the way Twilio's own helper
// libraries do (twilio-node src/webhooks/webhooks.ts, twilio-python
// request_validator.py), because those are what Twilio's back end is tested
// against:
//  - data = url + for each name in sorted order, for each distinct value of
//    that name in sorted order: name + value. Sorting compares UTF-16 code
//    units (JavaScript's Array.prototype.sort, Java's String.compareTo),
//    which differs from byte order only for characters above U+FFFF.
//  - identical name/value pairs count once (twilio-node dedupes with a Set).
//  - the URL is signed exactly as given; validation also tries it without its
//    port and with the scheme's default port added.

#include "protocol/twilio_signature.hpp"

#include "protocol/base64.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

namespace sb::proto {

namespace {

// -- UTF-16 ordering ------------------------------------------------------------

/// The UTF-16 code units of UTF-8 text (invalid bytes map to U+FFFD; Twilio
/// never sends them, and any stable order would do for them).
std::u16string utf16_key(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    char32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, cp = b & 0x07;
    }
    if (len > 1) {
      if (i + len > s.size()) {
        cp = 0xFFFD, len = 1;
      } else {
        for (std::size_t k = 1; k < len; ++k) {
          auto c = static_cast<unsigned char>(s[i + k]);
          if ((c & 0xC0) != 0x80) {
            cp = 0xFFFD, len = 1;
            break;
          }
          cp = cp << 6 | (c & 0x3F);
        }
      }
    }
    i += len;
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp > 0x10FFFF ? 0xFFFD : cp));
    }
  }
  return out;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

using param = std::pair<std::string, std::string>;

/// The pairs in `order`, each distinct pair once.
std::string joined(const std::vector<const param*>& order) {
  std::size_t size = 0;
  for (const param* p : order)
    size += p->first.size() + p->second.size();
  std::string data;
  data.reserve(size);
  const param* prev = nullptr;
  for (const param* p : order) {
    if (prev && *prev == *p)
      continue;
    data += p->first;
    data += p->second;
    prev = p;
  }
  return data;
}

/// The sorted, de-duplicated name/value pairs: the signed string is the URL
/// followed by these (computed once per validation, whatever the number of
/// URL variants tried).
std::string signing_data(const form_params& params) {
  std::vector<const param*> order;
  order.reserve(params.size());
  for (const auto& p : params)
    order.push_back(&p);
  // ASCII text (every webhook Twilio sends us, in practice) sorts the same
  // in bytes as in UTF-16 code units: skip the conversion.
  if (std::all_of(params.begin(), params.end(),
                  [](const param& p) { return is_ascii(p.first) && is_ascii(p.second); })) {
    std::sort(order.begin(), order.end(), [](const param* a, const param* b) { return *a < *b; });
    return joined(order);
  }
  struct entry {
    std::u16string name_key, value_key;
    const param* p;
  };
  std::vector<entry> entries;
  entries.reserve(params.size());
  for (const auto& p : params)
    entries.push_back({utf16_key(p.first), utf16_key(p.second), &p});
  std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
    if (a.name_key != b.name_key)
      return a.name_key < b.name_key;
    return a.value_key < b.value_key;
  });
  for (std::size_t i = 0; i < entries.size(); ++i)
    order[i] = entries[i].p;
  return joined(order);
}

// -- HMAC-SHA1 ------------------------------------------------------------------

struct mac_deleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

/// The HMAC implementation, fetched once: fetching is a provider look-up
/// with locks, and an EVP_MAC may be shared between threads.
EVP_MAC* hmac_algorithm() {
  static std::unique_ptr<EVP_MAC, mac_deleter> mac{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
  return mac.get();
}

/// An HMAC-SHA1 context keyed with `key`, ready for data. Each thread keeps
/// the last one it keyed: a server signs everything with its one auth token,
/// and restarting a keyed context (EVP_MAC_init with a null key keeps the
/// key) skips the allocation, the digest look-up and the key schedule on
/// every webhook (perf, bench/RESULTS.md).
EVP_MAC_CTX* keyed_context(std::string_view key) {
  struct cached {
    std::string key;
    std::unique_ptr<EVP_MAC_CTX, mac_deleter> ctx;
  };
  thread_local cached cache;
  if (cache.ctx && cache.key == key)
    return EVP_MAC_init(cache.ctx.get(), nullptr, 0, nullptr) == 1 ? cache.ctx.get() : nullptr;
  cache.ctx.reset();
  EVP_MAC* mac = hmac_algorithm();
  if (!mac)
    return nullptr;
  std::unique_ptr<EVP_MAC_CTX, mac_deleter> ctx{EVP_MAC_CTX_new(mac)};
  if (!ctx)
    return nullptr;
  char digest_name[] = "SHA1";
  OSSL_PARAM settings[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  // A non-null pointer even for an empty key: EVP_MAC_init treats a null key
  // as "keep the previous key", and there is none.
  static const unsigned char empty = 0;
  const auto* key_bytes = key.empty() ? &empty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx.get(), key_bytes, key.size(), settings) != 1)
    return nullptr;
  cache.key.assign(key);
  cache.ctx = std::move(ctx);
  return cache.ctx.get();
}

/// HMAC-SHA1 of url + params, base64.
std::string hmac_sha1_base64(std::string_view key, std::string_view url, std::string_view params) {
  EVP_MAC_CTX* ctx = keyed_context(key);
  if (!ctx)
    return {};
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t out_len = 0;
  if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(url.data()), url.size()) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(params.data()), params.size()) !=
          1 ||
      EVP_MAC_final(ctx, out.data(), &out_len, out.size()) != 1)
    return {};
  return base64_encode(std::string_view(reinterpret_cast<const char*>(out.data()), out_len));
}

// -- port variants --------------------------------------------------------------

struct url_parts {
  std::string_view scheme;    ///< "https://"
  std::string_view user_info; ///< "user:pw@" or empty
  std::string_view host;
  std::string_view port; ///< ":8443" or empty
  std::string_view rest; ///< path, query, fragment
};

/// Splits "scheme://authority rest" without normalizing anything, so the
/// variants keep the exact characters Twilio signed.
bool split_url(std::string_view url, url_parts& parts) {
  std::size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0 ||
      !std::isalpha(static_cast<unsigned char>(url[0])))
    return false;
  for (std::size_t i = 1; i < sep; ++i) {
    auto c = static_cast<unsigned char>(url[i]);
    if (!std::isalnum(c) && c != '+' && c != '.' && c != '-')
      return false;
  }
  parts.scheme = url.substr(0, sep + 3);
  std::size_t auth_begin = sep + 3;
  std::size_t auth_end = url.find_first_of("/?#", auth_begin);
  if (auth_end == std::string_view::npos)
    auth_end = url.size();
  std::string_view authority = url.substr(auth_begin, auth_end - auth_begin);
  std::size_t at = authority.rfind('@');
  parts.user_info = at == std::string_view::npos ? std::string_view{} : authority.substr(0, at + 1);
  std::string_view host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
  // A colon starts the port only after an IPv6 literal's closing bracket.
  std::size_t bracket = host_port.rfind(']');
  std::size_t colon = host_port.find(':', bracket == std::string_view::npos ? 0 : bracket + 1);
  parts.host = host_port.substr(0, colon);
  parts.port = colon == std::string_view::npos ? std::string_view{} : host_port.substr(colon);
  parts.rest = url.substr(auth_end);
  return true;
}

std::string default_port(std::string_view scheme) {
  std::string s(scheme);
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // twilio-node adds ":80" for every scheme but https; the Media Stream
  // upgrade is signed over wss://, whose default port is 443 too.
  return s == "https://" || s == "wss://" ? ":443" : ":80";
}

bool same_signature(std::string_view expected, std::string_view header) {
  return !expected.empty() && expected.size() == header.size() &&
         CRYPTO_memcmp(expected.data(), header.data(), header.size()) == 0;
}

} // namespace

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_params& params) {
  return hmac_sha1_base64(auth_token, url, signing_data(params));
}

bool twilio_signature_valid(std::string_view auth_token, std::string_view url,
                            const form_params& params, std::string_view header) {
  // No token configured must not mean "anyone can sign".
  if (header.empty() || auth_token.empty())
    return false;
  const std::string data = signing_data(params);
  if (same_signature(hmac_sha1_base64(auth_token, url, data), header))
    return true;
  url_parts parts;
  if (!split_url(url, parts))
    return false;
  std::string variant;
  if (parts.port.empty()) {
    variant = std::string(parts.scheme) + std::string(parts.user_info) + std::string(parts.host) +
              default_port(parts.scheme) + std::string(parts.rest);
  } else {
    variant = std::string(parts.scheme) + std::string(parts.user_info) + std::string(parts.host) +
              std::string(parts.rest);
  }
  return same_signature(hmac_sha1_base64(auth_token, variant, data), header);
}

} // namespace sb::proto
