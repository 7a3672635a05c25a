#include "net/test_ca.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace sb::net {

namespace {

// -- OpenSSL handles with owners --

struct pkey_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct x509_free {
  void operator()(X509* p) const { X509_free(p); }
};
struct bio_free {
  void operator()(BIO* p) const { BIO_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using bio_ptr = std::unique_ptr<BIO, bio_free>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

pem_pair to_pem(X509* cert, EVP_PKEY* key) {
  pem_pair out;
  bio_ptr c(BIO_new(BIO_s_mem()));
  bio_ptr k(BIO_new(BIO_s_mem()));
  if (!c || !k || PEM_write_bio_X509(c.get(), cert) != 1 ||
      PEM_write_bio_PrivateKey(k.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return out;
  out.cert_pem = bio_text(c.get());
  out.key_pem = bio_text(k.get());
  return out;
}

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext)
    return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

/// A certificate skeleton: version 3, random serial, validity, subject CN.
x509_ptr new_cert(EVP_PKEY* key, const std::string& cn, int days) {
  x509_ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1)
    return nullptr;
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1)
    return nullptr;
  serial[0] &= 0x7f; // serials are positive (RFC 5280 4.1.2.2)
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (!ok)
    return nullptr;
  // Valid from an hour ago: tolerates clock skew between processes/machines.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

} // namespace

pem_pair make_test_ca(const std::string& common_name, int days) {
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key)
    return {};
  x509_ptr cert = new_cert(key.get(), common_name, days);
  if (!cert)
    return {};
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  if (!add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return {};
  return to_pem(cert.get(), key.get());
}

pem_pair make_server_cert(const pem_pair& ca, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses, int days) {
  bio_ptr cb(BIO_new_mem_buf(ca.cert_pem.data(), static_cast<int>(ca.cert_pem.size())));
  bio_ptr kb(BIO_new_mem_buf(ca.key_pem.data(), static_cast<int>(ca.key_pem.size())));
  if (!cb || !kb)
    return {};
  x509_ptr ca_cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
  pkey_ptr ca_key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!ca_cert || !ca_key || !key)
    return {};
  std::string cn = !dns_names.empty()      ? dns_names.front()
                   : !ip_addresses.empty() ? ip_addresses.front()
                                           : "server";
  x509_ptr cert = new_cert(key.get(), cn, days);
  if (!cert)
    return {};
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  std::string san;
  for (const auto& d : dns_names)
    san += (san.empty() ? "" : ",") + ("DNS:" + d);
  for (const auto& ip : ip_addresses)
    san += (san.empty() ? "" : ",") + ("IP:" + ip);
  if ((!san.empty() && !add_ext(cert.get(), ca_cert.get(), NID_subject_alt_name, san)) ||
      !add_ext(cert.get(), ca_cert.get(), NID_basic_constraints, "CA:FALSE") ||
      !add_ext(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_ext(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth") ||
      X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0)
    return {};
  return to_pem(cert.get(), key.get());
}

} // namespace sb::net
