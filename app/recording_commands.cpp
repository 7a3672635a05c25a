#include "app/recording_commands.hpp"

#include "recording/retention.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace sb::app {

namespace {

struct options {
  std::string call_sid;
};

int fail(int code, const std::string& message) {
  std::cerr << "error: " << message << '\n';
  return code;
}

int delete_call(const std::string& db_path, const std::string& call_sid) {
  if (call_sid.empty())
    return fail(2, "calls delete: give the call's SID (CA...)");
  auto db = storage::store::open(db_path);
  if (!db)
    return fail(1, db.err().message);
  auto file = (*db)->delete_call(call_sid);
  if (!file)
    return fail(1, file.err().message);
  if (!*file)
    return fail(1, "calls delete: no call with SID " + call_sid + " (nothing deleted)");
  std::cout << "deleted call " << call_sid << ", its transcript, job card and notifications\n";
  if (!(*file)->empty()) {
    if (auto s = recording::remove_recording(**file); !s)
      return fail(1, "calls delete: the call is deleted, but its recording is not: " +
                         s.err().message);
    std::cout << "deleted its recording " << **file << '\n';
  }
  return 0;
}

} // namespace

void add_recording_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code) {
  auto o = std::make_shared<options>();
  auto* calls = app.get_subcommand("calls");
  auto* del = calls->add_subcommand(
      "delete", "Delete a call, its transcript, job card, notifications and recording");
  del->add_option("sid", o->call_sid, "The call's SID");
  del->callback([o, db_path, &exit_code] { exit_code = delete_call(db_path(), o->call_sid); });
}

} // namespace sb::app
