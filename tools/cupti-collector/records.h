// Encodes one CUPTI activity record as a schemas/cupti.proto Record. Returns false for kinds the stream does not carry.
#pragma once
#include <cupti.h>
#include <string>

namespace lithos {
bool encodeRecord(const CUpti_Activity* rec, std::string* frame);
std::string encodeDropped(uint32_t contextId, uint32_t streamId, uint64_t count);
std::string demangle(const char* name);
}  // namespace lithos
