// The soak run's outputs: JSON (every sample and the fits), a gnuplot data
// file, and the summary printed at the end.
#include "bench/soak/soak.hpp"

#include <cstdio>
#include <sstream>

namespace sb::bench {

namespace {

std::string trend_json(const trend& t) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                R"({"n":%d,"slope_per_min":%.4f,"slope_se":%.4f,"mean":%.1f,)"
                R"("residual_sd":%.2f,"flat":%s})",
                t.n, t.slope, t.slope_se, t.mean, t.residual_sd, t.flat ? "true" : "false");
  return buf;
}

} // namespace

std::string soak_json(const soak_result& r) {
  const auto& o = r.options;
  std::ostringstream j;
  j << R"({"date_utc":")" << r.date_utc << R"(","cpus":)" << r.cpus << R"(,"cpu_model":")"
    << r.cpu_model << R"(","options":{"calls":)" << o.calls << R"(,"minutes":)" << o.minutes
    << R"(,"call_min_s":)" << o.call_min_s << R"(,"call_max_s":)" << o.call_max_s
    << R"(,"sample_s":)" << o.sample_s << R"(,"seed":)" << o.seed << "}"
    << R"(,"error":")" << r.error << R"(","calls_started":)" << r.calls_started
    << R"(,"calls_ended":)" << r.calls_ended << R"(,"calls_failed":)" << r.calls_failed
    << R"(,"fit_from_s":)" << r.fit_from_s << R"(,"rss_kib":)" << trend_json(r.rss_trend)
    << R"(,"fds":)" << trend_json(r.fd_trend) << R"(,"cpu_ms_per_call_minute":)"
    << r.cpu_ms_per_call_minute << R"(,"samples":[)";
  for (std::size_t i = 0; i < r.samples.size(); ++i) {
    const auto& s = r.samples[i];
    j << (i ? "," : "") << R"({"t_s":)" << s.t_s << R"(,"rss_kib":)" << s.rss_kib << R"(,"fds":)"
      << s.fds << R"(,"threads":)" << s.threads << R"(,"cpu_s":)" << s.cpu_s << R"(,"live":)"
      << s.live << R"(,"ended":)" << s.ended << R"(,"failed":)" << s.failed << R"(,"db_kib":)"
      << s.db_kib << "}";
  }
  j << "]}";
  return j.str();
}

std::string soak_dat(const soak_result& r) {
  std::ostringstream d;
  d << "# t_min rss_mib fds threads live ended failed db_mib\n";
  for (const auto& s : r.samples) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%.3f %.2f %d %d %d %d %d %.2f\n", s.t_s / 60.0,
                  static_cast<double>(s.rss_kib) / 1024.0, s.fds, s.threads, s.live, s.ended,
                  s.failed, static_cast<double>(s.db_kib) / 1024.0);
    d << buf;
  }
  return d.str();
}

std::string soak_summary(const soak_result& r) {
  std::ostringstream out;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "soak: %d live calls for %d min (each %d-%d s), %s, %d cpus\n"
                "calls: %d started, %d ended, %d failed\n",
                r.options.calls, r.options.minutes, r.options.call_min_s, r.options.call_max_s,
                r.date_utc.c_str(), r.cpus, r.calls_started, r.calls_ended, r.calls_failed);
  out << buf;
  auto line = [&](const char* what, const trend& t, const char* unit) {
    std::snprintf(buf, sizeof buf,
                  "%s: mean %.1f %s, slope %+.3f %s/min (se %.3f), noise sd %.2f over %d "
                  "samples: %s\n",
                  what, t.mean, unit, t.slope, unit, t.slope_se, t.residual_sd, t.n,
                  t.flat ? "flat within noise" : "NOT flat");
    out << buf;
  };
  std::snprintf(buf, sizeof buf, "fitted from t = %.0f s (steady state)\n", r.fit_from_s);
  out << buf;
  line("server RSS", r.rss_trend, "KiB");
  line("server open fds", r.fd_trend, "fds");
  std::snprintf(buf, sizeof buf, "server CPU: %.1f ms per call-minute\n", r.cpu_ms_per_call_minute);
  out << buf;
  for (const auto& f : r.failures)
    out << "failed: " << f << "\n";
  if (!r.error.empty())
    out << "error: " << r.error << "\n";
  return out.str();
}

} // namespace sb::bench
