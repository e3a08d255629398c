// The INI dialect of the shared AWS files: "[section]" headers, "key = value" lines, '#' and ';' comments.
// Indented lines continue a nested setting ("s3 =\n  addressing_style = path") and are skipped: nothing here
// reads nested settings.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace stratacache::s3 {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

IniFile ParseIni(std::string_view text);
// The parsed file, or nullopt when it cannot be read.
std::optional<IniFile> ReadIniFile(const std::string& path);

}  // namespace stratacache::s3
