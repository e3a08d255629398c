// Conversions between JavaScript values and core types. Each reader throws a JavaScript error with a StrataError
// code (and returns false) when the value is unusable, so no bad input reaches the core.
#pragma once

#include <napi.h>

#include <map>
#include <optional>
#include <string>

#include "stratacache/bytes.h"
#include "stratacache/key.h"
#include "stratacache/status.h"
#include "stratacache/ttl.h"
#include "stratacache/ttl_rules.h"

namespace stratacache::node {

// A string of 1 to kMaxKeyBytes UTF-8 bytes.
// The key `value` names in namespace `ns` (the default one when empty).
std::optional<Key> ReadKey(const Napi::Value& value, std::string_view ns = {});
// A Uint8Array (Buffers included) or a string, stored as UTF-8.
std::optional<Bytes> ReadValue(const Napi::Value& value);
// undefined (the default applies), null (no expiry) or a positive number of milliseconds.
std::optional<Ttl> ReadTtl(const Napi::Value& value);
// ttlRules as TypeScript normalised them: [{ tags, all: ttl, byTier: { name: ttl } }].
std::optional<std::vector<TtlRule>> ReadTtlRules(const Napi::Value& value);

// Each property of an object as a string: a platform tier's (or mount's) settings as TypeScript flattened them,
// or an entry's tags as TypeScript validated them. Empty when `value` is not an object (undefined: no tags).
std::map<std::string, std::string> ReadStringMap(const Napi::Value& value);

// Bytes as a Buffer over the core's memory, without a copy: the Buffer holds a reference that keeps the bytes
// alive until it is collected, so eviction never frees memory JavaScript still reads. While that Buffer lives,
// lending the same bytes again returns it rather than a new one.
Napi::Value LendBuffer(Napi::Env env, const Bytes& bytes);

// An Error whose `code` is the status's stable code (ERR_IO, ...), for TypeScript to wrap in a StrataError.
Napi::Error ToError(Napi::Env env, const Status& status);
void ThrowStatus(Napi::Env env, const Status& status);

}  // namespace stratacache::node
