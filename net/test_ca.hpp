#pragma once
// Certificates made at run time with OpenSSL 3 (EVP), for tests, the demo and
// the benchmark: a throwaway CA and server certificates it signs. Nothing
// here is used for production traffic.

#include <string>
#include <vector>

namespace sb::net {

struct pem_pair {
  std::string cert_pem;
  std::string key_pem;
};

/// A self-signed CA (EC P-256), valid from now-1h for `days`.
pem_pair make_test_ca(const std::string& common_name, int days = 2);

/// A server certificate for `dns_names` and `ip_addresses` (subjectAltName),
/// signed by `ca`.
pem_pair make_server_cert(const pem_pair& ca, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses, int days = 2);

} // namespace sb::net
