#include "ini_file.h"

#include <fstream>
#include <sstream>

namespace stratacache::s3 {
namespace {

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

IniFile ParseIni(std::string_view text) {
  IniFile file;
  IniSection* section = nullptr;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);

    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';' || indented) continue;
    if (line.front() == '[') {
      const size_t close = line.find(']');
      section = close == std::string_view::npos ? nullptr : &file[std::string(Trim(line.substr(1, close - 1)))];
      continue;
    }
    const size_t equals = line.find('=');
    if (section == nullptr || equals == std::string_view::npos) continue;
    (*section)[std::string(Trim(line.substr(0, equals)))] = std::string(Trim(line.substr(equals + 1)));
  }
  return file;
}

std::optional<IniFile> ReadIniFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return ParseIni(text.str());
}

}  // namespace stratacache::s3
