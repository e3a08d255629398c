#include "xml_reader.h"

#include <expat.h>

#include <climits>
#include <memory>
#include <vector>

namespace stratacache::s3 {
namespace {

// Separates a namespace URI from the local name in the names expat reports.
constexpr char kNamespaceSeparator = '\x01';

struct ReaderState {
  XML_Parser parser;
  const XmlHandlers* handlers;
  std::string path;
  std::vector<size_t> path_lengths;  // the path's length before each open element was appended
  std::string text;                  // text of the innermost open element
  std::string refusal;
};

std::string_view LocalName(const XML_Char* name) {
  std::string_view full(name);
  const size_t separator = full.rfind(kNamespaceSeparator);
  return separator == std::string_view::npos ? full : full.substr(separator + 1);
}

void XMLCALL OnStart(void* data, const XML_Char* name, const XML_Char**) {
  auto* state = static_cast<ReaderState*>(data);
  state->path_lengths.push_back(state->path.size());
  if (!state->path.empty()) state->path += '/';
  state->path += LocalName(name);
  state->text.clear();
  if (state->handlers->on_start) state->handlers->on_start(state->path);
}

void XMLCALL OnEnd(void* data, const XML_Char*) {
  auto* state = static_cast<ReaderState*>(data);
  state->handlers->on_end(state->path, state->text);
  state->text.clear();
  state->path.resize(state->path_lengths.back());
  state->path_lengths.pop_back();
}

void XMLCALL OnText(void* data, const XML_Char* text, int length) {
  static_cast<ReaderState*>(data)->text.append(text, static_cast<size_t>(length));
}

void XMLCALL OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  auto* state = static_cast<ReaderState*>(data);
  state->refusal = "a DOCTYPE is not accepted";
  XML_StopParser(state->parser, XML_FALSE);
}

}  // namespace

std::string ReadXml(std::string_view document, const XmlHandlers& handlers) {
  if (document.size() > static_cast<size_t>(INT_MAX)) return "document too large";
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreateNS("UTF-8", kNamespaceSeparator),
                                                                      &XML_ParserFree);
  if (!parser) return "out of memory";
  ReaderState state{parser.get(), &handlers, {}, {}, {}, {}};
  XML_SetUserData(parser.get(), &state);
  XML_SetElementHandler(parser.get(), &OnStart, &OnEnd);
  XML_SetCharacterDataHandler(parser.get(), &OnText);
  XML_SetStartDoctypeDeclHandler(parser.get(), &OnDoctype);

  if (XML_Parse(parser.get(), document.data(), static_cast<int>(document.size()), XML_TRUE) == XML_STATUS_OK) {
    return "";
  }
  if (!state.refusal.empty()) return state.refusal;
  return std::string(XML_ErrorString(XML_GetErrorCode(parser.get()))) + " at line " +
         std::to_string(XML_GetCurrentLineNumber(parser.get()));
}

}  // namespace stratacache::s3
