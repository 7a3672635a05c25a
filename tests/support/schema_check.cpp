// RapidJSON 1.1 validates draft-04; OpenAI's schema is 2020-12 in OpenAPI
// 3.1 clothing. tests/data/openai/README.md lists the rewrites made here so
// that RapidJSON answers like Ajv: const -> enum, nullable -> anyOf null,
// and a root $ref per event type (clearer errors than the whole union).

#include "tests/support/schema_check.hpp"

#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

namespace sb::test {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using allocator = Document::AllocatorType;

constexpr std::string_view definitions_prefix = "#/definitions/";

// -- rewrites -------------------------------------------------------------------

/// An "open enum": oneOf [{type: string}, {type: string, enum: [...]}]
/// (RealtimeResponseCreateParams.conversation: any string, the known ones
/// listed). Every listed value matches both branches, so a strict oneOf
/// refuses exactly the documented values ("auto", "none"); the intent is
/// anyOf.
bool open_string_enum(const Value& one_of) {
  if (!one_of.IsArray() || one_of.Size() != 2)
    return false;
  for (const auto& s : one_of.GetArray()) {
    auto t = s.IsObject() ? s.FindMember("type") : s.MemberEnd();
    if (!s.IsObject() || t == s.MemberEnd() || !t->value.IsString() ||
        std::string_view{t->value.GetString()} != "string")
      return false;
  }
  return one_of[0].MemberCount() == 1 || one_of[1].MemberCount() == 1;
}

void rewrite(Value& v, allocator& a) {
  if (v.IsArray()) {
    for (auto& e : v.GetArray())
      rewrite(e, a);
    return;
  }
  if (!v.IsObject())
    return;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
    rewrite(it->value, a);
  if (auto c = v.FindMember("const"); c != v.MemberEnd()) {
    Value values(rapidjson::kArrayType);
    values.PushBack(Value(c->value, a), a);
    v.RemoveMember("const");
    v.AddMember("enum", values, a);
  }
  if (auto o = v.FindMember("oneOf"); o != v.MemberEnd() && open_string_enum(o->value))
    o->name.SetString("anyOf", a);
  if (auto n = v.FindMember("nullable");
      n != v.MemberEnd() && n->value.IsBool() && n->value.GetBool()) {
    v.RemoveMember("nullable");
    Value rest(v, a);
    Value null_schema(rapidjson::kObjectType);
    null_schema.AddMember("type", "null", a);
    Value any_of(rapidjson::kArrayType);
    any_of.PushBack(null_schema, a);
    any_of.PushBack(rest, a);
    v.SetObject();
    v.AddMember("anyOf", any_of, a);
  }
}

std::string pointer_text(const rapidjson::Pointer& p) {
  rapidjson::StringBuffer b;
  p.StringifyUriFragment(b);
  return b.GetString();
}

/// Member `name` of `v`, or nullptr (also when `v` is not an object).
const Value* member(const Value& v, const char* name) {
  if (!v.IsObject())
    return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

bool kind_matches(const Value& instance, std::string_view type) {
  if (type == "object")
    return instance.IsObject();
  if (type == "array")
    return instance.IsArray();
  if (type == "string")
    return instance.IsString();
  if (type == "null")
    return instance.IsNull();
  if (type == "boolean")
    return instance.IsBool();
  if (type == "integer")
    return instance.IsInt64() || instance.IsUint64();
  if (type == "number")
    return instance.IsNumber();
  return true;
}

} // namespace

// -- the schema -----------------------------------------------------------------

struct realtime_schema::impl {
  Document spec;
  std::string load_error;
  std::map<std::string, std::string, std::less<>> client_types; ///< type -> definition
  std::map<std::string, std::string, std::less<>> server_types;

  struct compiled {
    Document doc;
    std::unique_ptr<rapidjson::SchemaDocument> schema;
  };
  mutable std::mutex mutex;
  mutable std::map<std::string, std::unique_ptr<compiled>> cache; ///< by definition

  const Value* definition(std::string_view name) const {
    const Value& defs = spec["definitions"];
    auto it = defs.FindMember(Value(name.data(), static_cast<rapidjson::SizeType>(name.size())));
    return it == defs.MemberEnd() ? nullptr : &it->value;
  }

  /// Follows $ref chains (bounded: the schema has no ref cycles of length 16).
  const Value& resolve(const Value& s) const {
    const Value* cur = &s;
    for (int i = 0; i < 16 && cur->IsObject(); ++i) {
      auto ref = cur->FindMember("$ref");
      if (ref == cur->MemberEnd() || !ref->value.IsString())
        break;
      std::string_view target = ref->value.GetString();
      if (target.substr(0, definitions_prefix.size()) != definitions_prefix)
        break;
      const Value* next = definition(target.substr(definitions_prefix.size()));
      if (!next)
        break;
      cur = next;
    }
    return *cur;
  }

  void index_union(const char* union_name, std::map<std::string, std::string, std::less<>>& out) {
    const Value* u = definition(union_name);
    if (!u || !u->HasMember("anyOf"))
      return;
    for (const auto& m : (*u)["anyOf"].GetArray()) {
      const Value* ref = member(m, "$ref");
      if (!ref || !ref->IsString())
        continue;
      std::string name(std::string_view(ref->GetString()).substr(definitions_prefix.size()));
      const Value* props = member(resolve(m), "properties");
      const Value* type = props ? member(*props, "type") : nullptr;
      const Value* names = type ? member(*type, "enum") : nullptr;
      if (names && names->IsArray())
        for (const auto& t : names->GetArray())
          if (t.IsString())
            out.emplace(t.GetString(), name);
    }
  }

  const rapidjson::SchemaDocument& schema_for(const std::string& def) const {
    std::lock_guard lock(mutex);
    auto& slot = cache[def];
    if (!slot) {
      slot = std::make_unique<compiled>();
      slot->doc.CopyFrom(spec, slot->doc.GetAllocator());
      std::string ref = std::string(definitions_prefix) + def;
      slot->doc.AddMember("$ref", Value(ref.c_str(), slot->doc.GetAllocator()),
                          slot->doc.GetAllocator());
      slot->schema = std::make_unique<rapidjson::SchemaDocument>(slot->doc);
    }
    return *slot->schema;
  }

  // -- undeclared fields ----------------------------------------------------------

  /// Could `instance` be an instance of `schema`? Only the cheap
  /// discriminating facts: JSON type and enum-valued properties.
  bool compatible(const Value& instance, const Value& schema_ref) const {
    const Value& s = resolve(schema_ref);
    if (!s.IsObject())
      return true;
    for (const char* alt : {"anyOf", "oneOf"})
      if (const Value* branches = member(s, alt); branches && branches->IsArray()) {
        bool any = false;
        for (const auto& b : branches->GetArray())
          any = any || compatible(instance, b);
        if (!any)
          return false;
      }
    if (const Value* t = member(s, "type");
        t && t->IsString() && !kind_matches(instance, t->GetString()))
      return false;
    const Value* props = member(s, "properties");
    if (!instance.IsObject() || !props || !props->IsObject())
      return true;
    for (auto m = instance.MemberBegin(); m != instance.MemberEnd(); ++m) {
      auto p = props->FindMember(m->name);
      if (p == props->MemberEnd())
        continue;
      const Value& ps = resolve(p->value);
      if (const Value* e = member(ps, "enum"); e && e->IsArray()) {
        bool found = false;
        for (const auto& v : e->GetArray())
          found = found || v == m->value;
        if (!found)
          return false;
      }
    }
    return true;
  }

  /// The first field of `instance` that none of `schemas` declares (where
  /// they declare properties and allow nothing more), as a JSON pointer.
  std::string undeclared(const Value& instance, std::vector<const Value*> schemas,
                         const std::string& path, int depth) const {
    if (depth > 64)
      return {};
    // Expand allOf, then branch on the first anyOf/oneOf found.
    expand_all_of(schemas);
    if (std::optional<std::string> r = undeclared_in_alternatives(instance, schemas, path, depth))
      return *r;
    if (instance.IsObject())
      return undeclared_member(instance, schemas, path, depth);
    if (instance.IsArray())
      return undeclared_item(instance, schemas, path, depth);
    return {};
  }

  /// Resolves each of `schemas` and appends their allOf branches (expanded
  /// in turn).
  void expand_all_of(std::vector<const Value*>& schemas) const {
    for (std::size_t i = 0; i < schemas.size(); ++i) {
      const Value& s = resolve(*schemas[i]);
      schemas[i] = &s;
      if (!s.IsObject())
        continue;
      if (const Value* all = member(s, "allOf"); all && all->IsArray())
        for (const auto& b : all->GetArray())
          schemas.push_back(&b);
    }
  }

  /// With the first anyOf/oneOf of `schemas`: nothing undeclared when one
  /// compatible branch declares every field, else the first branch's
  /// finding. Without one: std::nullopt.
  std::optional<std::string> undeclared_in_alternatives(const Value& instance,
                                                        const std::vector<const Value*>& schemas,
                                                        const std::string& path, int depth) const {
    for (std::size_t i = 0; i < schemas.size(); ++i) {
      const Value& s = *schemas[i];
      if (!s.IsObject())
        continue;
      for (const char* alt : {"anyOf", "oneOf"}) {
        const Value* alternatives = member(s, alt);
        if (!alternatives || !alternatives->IsArray())
          continue;
        std::vector<const Value*> rest = schemas;
        rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
        std::vector<const Value*> branches;
        for (const auto& b : alternatives->GetArray())
          if (compatible(instance, b))
            branches.push_back(&b);
        if (branches.empty())
          return std::string{}; // the schema validator reports this one
        std::string first;
        for (const Value* b : branches) {
          auto with = rest;
          with.push_back(b);
          std::string r = undeclared(instance, with, path, depth + 1);
          if (r.empty())
            return std::string{};
          if (first.empty())
            first = r;
        }
        return first;
      }
    }
    return std::nullopt;
  }

  /// An object: its first member that `schemas` do not declare, or the
  /// first finding inside a member.
  std::string undeclared_member(const Value& instance, const std::vector<const Value*>& schemas,
                                const std::string& path, int depth) const {
    bool declares = false, open = false;
    for (const Value* s : schemas) {
      if (!s->IsObject())
        continue;
      declares = declares || s->HasMember("properties");
      if (const Value* ap = member(*s, "additionalProperties"))
        open = open || ap->IsObject() || (ap->IsBool() && ap->GetBool());
    }
    if (!declares || open)
      return {};
    for (auto m = instance.MemberBegin(); m != instance.MemberEnd(); ++m) {
      std::vector<const Value*> subs;
      for (const Value* s : schemas)
        if (const Value* props = member(*s, "properties"); props && props->IsObject())
          if (auto p = props->FindMember(m->name); p != props->MemberEnd())
            subs.push_back(&p->value);
      std::string sub_path = path + "/" + m->name.GetString();
      if (subs.empty())
        return sub_path;
      if (std::string r = undeclared(m->value, subs, sub_path, depth + 1); !r.empty())
        return r;
    }
    return {};
  }

  /// An array: the first finding inside an item.
  std::string undeclared_item(const Value& instance, const std::vector<const Value*>& schemas,
                              const std::string& path, int depth) const {
    std::vector<const Value*> items;
    for (const Value* s : schemas)
      if (const Value* it = member(*s, "items"))
        items.push_back(it);
    if (items.empty())
      return {};
    for (rapidjson::SizeType i = 0; i < instance.Size(); ++i)
      if (std::string r = undeclared(instance[i], items, path + "/" + std::to_string(i), depth + 1);
          !r.empty())
        return r;
    return {};
  }

  std::string check(std::string_view json, bool client) const {
    if (!load_error.empty())
      return load_error;
    Document event;
    event.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
    if (event.HasParseError() || !event.IsObject())
      return "not a JSON object";
    if (!event.HasMember("type") || !event["type"].IsString())
      return "event has no string \"type\"";
    std::string type = event["type"].GetString();
    const auto& types = client ? client_types : server_types;
    auto it = types.find(type);
    if (it == types.end())
      return type + ": not a GA " + (client ? "client" : "server") + " event type";
    rapidjson::SchemaValidator validator(schema_for(it->second));
    if (!event.Accept(validator)) {
      return type + " (" + it->second + "): schema keyword '" +
             validator.GetInvalidSchemaKeyword() + "' failed at schema " +
             pointer_text(validator.GetInvalidSchemaPointer()) + ", document " +
             pointer_text(validator.GetInvalidDocumentPointer());
    }
    if (client) {
      // The live service answers unknown_parameter for these (README.md of
      // the schema: the spec itself almost never forbids extra fields).
      if (std::string path = undeclared(event, {definition(it->second)}, "", 0); !path.empty())
        return type + ": field " + path + " is not declared by " + it->second;
    }
    return {};
  }
};

realtime_schema::realtime_schema() : impl_(std::make_unique<impl>()) {
  const std::string path =
      std::string(SB_SOURCE_DIR) + "/tests/data/openai/openai-realtime.schema.json";
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  impl_->spec.Parse(text.str().c_str());
  if (!in || impl_->spec.HasParseError() || !impl_->spec.IsObject() ||
      !impl_->spec.HasMember("definitions")) {
    impl_->load_error = "cannot load schema " + path;
    impl_->spec.SetObject();
    return;
  }
  rewrite(impl_->spec, impl_->spec.GetAllocator());
  impl_->index_union("RealtimeClientEvent", impl_->client_types);
  impl_->index_union("RealtimeServerEvent", impl_->server_types);
  if (impl_->client_types.empty() || impl_->server_types.empty())
    impl_->load_error = "schema " + path + " lacks the RealtimeClientEvent/ServerEvent unions";
}

realtime_schema::~realtime_schema() = default;

const realtime_schema& realtime_schema::instance() {
  static const realtime_schema schema;
  return schema;
}

std::string realtime_schema::check_client_event(std::string_view json) const {
  return impl_->check(json, true);
}

std::string realtime_schema::check_server_event(std::string_view json) const {
  return impl_->check(json, false);
}

} // namespace sb::test
