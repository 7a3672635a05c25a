#pragma once
// The store tests' common fixture (a new store in a temp dir, SQLite or
// PostgreSQL: test_support.hpp) and sample records.

#include "storage/store.hpp"

#include "test_support.hpp"

#include <memory>
#include <stdexcept>
#include <string>

namespace sb::test {

struct fresh_store {
  temp_dir dir;
  std::string path = dir.store_location("switchboard.db");
  std::unique_ptr<storage::store> db = [this] {
    auto s = storage::store::open(path);
    if (!s)
      throw std::runtime_error(s.err().message);
    return std::move(*s);
  }();
};

inline storage::tenant acme() {
  storage::tenant t;
  t.number = "+15551230000";
  t.name = "Acme Plumbing";
  t.greeting = "Thanks for calling Acme!";
  t.push_url = "https://acme.example/push";
  return t;
}

inline storage::transcript_turn turn(const std::string& sid, int seq, const std::string& role,
                                     const std::string& text) {
  storage::transcript_turn t;
  t.call_sid = sid;
  t.seq = seq;
  t.role = sb::parse_speaker(role).value();
  t.text = text;
  t.started_at_ms = 1000 + seq * 100;
  t.ended_at_ms = 1050 + seq * 100;
  return t;
}

} // namespace sb::test
