#include "s3_time.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

namespace stratacache::s3 {
namespace {

// Parsed by hand rather than with strptime, whose month and day names follow the process locale.
int64_t ToUnixMs(int year, int month, int day, int hour, int minute, int second) {
  std::tm utc{};
  utc.tm_year = year - 1900;
  utc.tm_mon = month - 1;
  utc.tm_mday = day;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  return static_cast<int64_t>(timegm(&utc)) * 1000;
}

}  // namespace

int64_t ParseIso8601Ms(std::string_view text) {
  const std::string copy(text);
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &consumed) !=
      6) {
    return 0;
  }
  int64_t ms = ToUnixMs(year, month, day, hour, minute, second);
  if (copy[consumed] == '.') {
    int64_t scale = 100;
    for (const char* digit = copy.c_str() + consumed + 1; *digit >= '0' && *digit <= '9'; ++digit, scale /= 10) {
      ms += (*digit - '0') * scale;
    }
  }
  return ms;
}

int64_t ParseHttpDateMs(std::string_view text) {
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const std::string copy(text);
  int day, year, hour, minute, second;
  char month_name[4] = {};
  if (std::sscanf(copy.c_str(), "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &day, month_name, &year, &hour, &minute,
                  &second) != 6) {
    return 0;
  }
  const char* month = std::strlen(month_name) == 3 ? std::strstr(kMonths, month_name) : nullptr;
  if (month == nullptr || (month - kMonths) % 3 != 0) return 0;
  return ToUnixMs(year, static_cast<int>(month - kMonths) / 3 + 1, day, hour, minute, second);
}

}  // namespace stratacache::s3
