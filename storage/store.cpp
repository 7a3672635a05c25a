#include "storage/store.hpp"

#include "common/time.hpp"
#include "storage/migrations.hpp"
#include "storage/store_impl.hpp"

#include <algorithm>

namespace sb::storage {

using detail::query;

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

store::~store() = default;

result<std::unique_ptr<store>> store::open(const std::string& path) {
  auto db = detail::open_database(path);
  if (!db)
    return db.err();
  auto version = migrate(**db);
  if (!version)
    return version.err();
  auto p = std::make_unique<impl>();
  p->db = std::move(*db);
  p->version = *version;
  return std::unique_ptr<store>(new store(std::move(p)));
}

int store::schema_version() const {
  return impl_->version;
}

// -- tenants ------------------------------------------------------------------

namespace {

constexpr const char* tenant_columns =
    "id, number, name, greeting, context, timezone, language, voice, push_url, hours, "
    "max_concurrent, calls_per_minute, transfer_number, transfer_after_hours, transfer_message, "
    "max_call_ms, silence_ms, stream_attach_ms, languages, greetings, record, slot_minutes, "
    "slot_capacity";

// v12's encodings (storage/migrations.cpp): languages "es,en"; greetings a
// line "code=text" each.
std::string join_languages(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& c : codes)
    out += (out.empty() ? "" : ",") + c;
  return out;
}

std::vector<std::string> split_languages(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < text.size()) {
    auto comma = std::min(text.find(',', from), text.size());
    if (comma > from)
      out.push_back(text.substr(from, comma - from));
    from = comma + 1;
  }
  return out;
}

std::string join_greetings(const std::map<std::string, std::string>& greetings) {
  std::string out;
  for (const auto& [code, text] : greetings)
    out += code + "=" + text + "\n";
  return out;
}

std::map<std::string, std::string> split_greetings(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t from = 0;
  while (from < text.size()) {
    auto nl = std::min(text.find('\n', from), text.size());
    auto line = text.substr(from, nl - from);
    if (auto eq = line.find('='); eq != std::string::npos)
      out[line.substr(0, eq)] = line.substr(eq + 1);
    from = nl + 1;
  }
  return out;
}

tenant read_tenant(const query& q) {
  tenant t;
  t.id = q.int_at(0);
  t.number = q.text_at(1);
  t.name = q.text_at(2);
  t.greeting = q.text_at(3);
  t.context = q.text_at(4);
  t.timezone = q.text_at(5);
  t.language = q.text_at(6);
  t.voice = q.text_at(7);
  t.push_url = q.text_at(8);
  t.hours = q.text_at(9);
  t.max_concurrent = static_cast<int>(q.int_at(10));
  t.calls_per_minute = static_cast<int>(q.int_at(11));
  t.transfer_number = q.text_at(12);
  t.transfer_after_hours = q.int_at(13) != 0;
  t.transfer_message = q.text_at(14);
  t.max_call_ms = q.int_at(15);
  t.silence_ms = q.int_at(16);
  t.stream_attach_ms = q.int_at(17);
  t.languages = split_languages(q.text_at(18));
  t.greetings = split_greetings(q.text_at(19));
  t.record = q.int_at(20) != 0;
  t.slot_minutes = static_cast<int>(q.int_at(21));
  t.slot_capacity = static_cast<int>(q.int_at(22));
  return t;
}

} // namespace

status store::add_tenant(const tenant& t) {
  auto q = impl_->db->prepare(
      "INSERT INTO tenants (number, name, greeting, context, timezone, language, voice, "
      "push_url, hours, created_at, max_concurrent, calls_per_minute, transfer_number, "
      "transfer_after_hours, transfer_message, max_call_ms, silence_ms, stream_attach_ms, "
      "languages, greetings, record, slot_minutes, slot_capacity) VALUES (?1, ?2, ?3, ?4, ?5, "
      "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
      "add tenant " + t.number);
  if (!q)
    return q.err();
  q->bind_text(1, t.number).bind_text(2, t.name).bind_text(3, t.greeting);
  q->bind_text(4, t.context).bind_text(5, t.timezone).bind_text(6, t.language);
  q->bind_text(7, t.voice).bind_text(8, t.push_url).bind_text(9, t.hours);
  q->bind_int(10, now_ms()).bind_int(11, t.max_concurrent).bind_int(12, t.calls_per_minute);
  q->bind_text(13, t.transfer_number).bind_int(14, t.transfer_after_hours ? 1 : 0);
  q->bind_text(15, t.transfer_message);
  q->bind_int(16, t.max_call_ms).bind_int(17, t.silence_ms).bind_int(18, t.stream_attach_ms);
  q->bind_text(19, join_languages(t.languages)).bind_text(20, join_greetings(t.greetings));
  q->bind_int(21, t.record ? 1 : 0);
  q->bind_int(22, t.slot_minutes).bind_int(23, t.slot_capacity);
  auto s = q->run();
  if (!s && q->unique_violation())
    return error{"exists", "a tenant with number " + t.number + " already exists"};
  return s;
}

result<bool> store::remove_tenant(const std::string& number) {
  auto q = impl_->db->prepare("DELETE FROM tenants WHERE number = ?1", "remove tenant " + number);
  if (!q)
    return q.err();
  q->bind_text(1, number);
  if (auto s = q->run(); !s)
    return s.err();
  return impl_->db->changes() > 0;
}

result<std::vector<tenant>> store::list_tenants() {
  auto q = impl_->db->prepare(
      std::string("SELECT ") + tenant_columns + " FROM tenants ORDER BY number", "list tenants");
  if (!q)
    return q.err();
  std::vector<tenant> out;
  for (;;) {
    auto row = q->step();
    if (!row)
      return row.err();
    if (!*row)
      return out;
    out.push_back(read_tenant(*q));
  }
}

result<std::optional<tenant>> store::find_tenant(const std::string& number) {
  auto q = impl_->db->prepare(std::string("SELECT ") + tenant_columns +
                                  " FROM tenants WHERE number = ?1",
                              "find tenant " + number);
  if (!q)
    return q.err();
  q->bind_text(1, number);
  auto row = q->step();
  if (!row)
    return row.err();
  if (!*row)
    return std::optional<tenant>{};
  tenant t = read_tenant(*q);
  auto variants = variants_of(t.number);
  if (!variants)
    return variants.err();
  t.variants = std::move(*variants);
  return std::optional<tenant>{std::move(t)};
}

} // namespace sb::storage
