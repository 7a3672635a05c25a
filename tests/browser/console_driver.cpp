// The browser test's server: a whole simulated deployment (console_env) with
// the console token from SWITCHBOARD_CONSOLE_TOKEN. Protocol on stdio:
//   prints "URL http://127.0.0.1:PORT" when ready;
//   reads "call" -> places a booking call whose caller lingers 60 s before
//   its goodbye (so it can be ended from the page), prints "CALL_DONE <sid>";
//   reads "quit" or end of input -> shuts down and exits 0.
// Exits by itself after 240 s whatever happens, so a stuck test cannot hang CI.

#include "tests/console/console_env.hpp"

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

int main() {
  const char* token = std::getenv("SWITCHBOARD_CONSOLE_TOKEN");
  if (token == nullptr || *token == '\0') {
    std::cerr << "console_driver: set SWITCHBOARD_CONSOLE_TOKEN\n";
    return 2;
  }
  sb::log::set_level(sb::log::level::warn);
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds{240});
    std::cerr << "console_driver: 240 s deadline; exiting\n";
    std::_Exit(3);
  }).detach();
  try {
    sb::console::test::console_env env{token, sb::console::test::booking_script(60'000)};
    std::mutex out_mtx;
    std::cout << "URL " << env.base_url() << std::endl;
    std::string cmd;
    while (std::getline(std::cin, cmd)) {
      if (cmd == "quit")
        break;
      if (cmd == "call") {
        env.start_call([&](sb::sim::caller_result r) {
          std::lock_guard<std::mutex> g{out_mtx};
          std::cout << "CALL_DONE " << r.call_sid << " " << (r.ok ? "ok" : r.error) << std::endl;
        });
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "console_driver: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
