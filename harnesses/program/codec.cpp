#include "program/codec.hpp"

#include <algorithm>
#include <array>

#include "program/world.hpp"

namespace ddimap::harness {
namespace {

// Boundary values a fuzzer would want to hit; the decoder reaches each with
// one selector byte. Append-only, like the opcode table.
constexpr std::array<u64, 15> kAddressConsts = {
    0, 1, 0x1000, kSystemRegionBase, kUserRegionBase, kPseudoRegionBase, ~0ull, 0x8000000000000000ull,
    kSystemRegionBase + 0x1000, kUserRegionBase + 0x1000, kPseudoRegionBase + 0x1000, 0xFFFFFFFFFFFFF000ull,
    0x7FFFFFFFFFFF, 0x10, 0xFFFFFFFF};
constexpr std::array<u64, 29> kLengthConsts = {
    0, 1, 2, 4, 8, 0x10, 0x100, 0xFFF, 0x1000, 0x1001, 0x2000, 0x10000, 0x20000, 0x100000, 0x1000000,
    0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ull, 0x8000000000000000ull, ~0ull, ~0ull - 0xFFF,
    0x1388, 0x64, 0x3, 0x20, 0x21, 0x1F, 0xFFFFF};
constexpr std::array<u64, 12> kProtects = {
    kPageReadWrite | kPageNoCache, kPageReadWrite, kPageReadOnly, kPageReadWrite | kPageWriteCombine,
    kPageExecuteRead, kPageExecuteReadWrite | kPageNoCache, kPageExecute, kPageReadOnly | kPageNoCache, 0,
    kPageReadWrite | kPageReadOnly, kPageNoCache | kPageWriteCombine | kPageReadWrite, 0x1000 | kPageReadWrite};
constexpr std::array<u64, 10> kVideoFlags = {
    kVideoMemorySpaceMemory, kVideoMemorySpaceIo, kVideoMemorySpaceUserMode, kVideoMemorySpaceP6Cache,
    kVideoMemorySpaceUserMode | kVideoMemorySpaceP6Cache, kVideoMemorySpaceDense,
    kVideoMemorySpaceIo | kVideoMemorySpaceDense, kVideoMemorySpaceIo | kVideoMemorySpaceP6Cache, 0x10,
    kVideoMemorySpaceIo | kVideoMemorySpaceUserMode};
constexpr std::array<u64, 6> kCacheConsts = {3, 4, 5, 6, 7, 0xFFFFFFFF};

// Selector bytes with a fixed meaning in every kind that has them.
constexpr u8 kRaw64 = 0xFF;
constexpr u8 kRaw32 = 0xFE;
constexpr u8 kRaw16 = 0xFD;
static_assert(kCallCount <= 0x80, "a call's header byte holds a 7-bit opcode");
// Counts 0..kSmallCounts take one byte.
constexpr u64 kSmallCounts = 16;

template <std::size_t N>
int IndexOf(const std::array<u64, N>& a, u64 v) {
  for (std::size_t i = 0; i < N; ++i)
    if (a[i] == v) return static_cast<int>(i);
  return -1;
}

// What the decoder knows about each made resource, by result number.
struct ResultInfo {
  Resource kind;
  u64 length;  // mappings: the mapped length; files: the file length
};

struct State {
  std::vector<ResultInfo> results;
  // Result numbers of each resource kind, oldest first; kept as results grow,
  // because every reference argument asks for one of these lists.
  std::array<std::vector<u64>, 8> by_kind;
  static_assert(static_cast<std::size_t>(Resource::Video) < 8, "one list per resource kind");
  const std::vector<u64>& Of(Resource r) const { return by_kind[static_cast<std::size_t>(r)]; }
  void Add(Resource r, u64 length) {
    by_kind[static_cast<std::size_t>(r)].push_back(results.size());
    results.push_back({r, length});
  }
  void Clear() {
    results.clear();
    for (auto& k : by_kind) k.clear();
  }
  // The file table FileName arguments index: the program's world's.
  const std::vector<WorldFile>* files = &WorldFiles();
};

class Reader {
 public:
  Reader(const u8* d, std::size_t n) : d_(d), n_(n) {}
  u8 Byte() {
    if (pos_ >= n_) {
      short_ = true;
      return 0;
    }
    return d_[pos_++];
  }
  u64 Le(int bytes) {
    u64 v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<u64>(Byte()) << (8 * i);
    return v;
  }
  bool done() const { return pos_ >= n_; }
  bool short_read() const { return short_; }

 private:
  const u8* d_;
  std::size_t n_, pos_ = 0;
  bool short_ = false;
};

void PutLe(std::vector<u8>* out, u64 v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<u8>(v >> (8 * i)));
}

// The world's objects an argument of this kind picks from; built once, since
// every device argument of every decoded call asks.
const std::vector<const WorldObject*>& ObjectsOf(ArgKind kind) {
  static const auto lists = [] {
    std::array<std::vector<const WorldObject*>, 5> l;
    for (const auto& o : WorldObjects()) {
      l[0].push_back(&o);
      if (o.kind == HandleKind::Adapter) l[1].push_back(&o);
      if (o.kind == HandleKind::WdmDevice) l[2].push_back(&o);
      if (o.kind == HandleKind::UmdfDevice) l[3].push_back(&o);
      if (o.kind == HandleKind::Video) l[4].push_back(&o);
    }
    return l;
  }();
  switch (kind) {
    case ArgKind::Adapter: return lists[1];
    case ArgKind::WdmDevice: return lists[2];
    case ArgKind::UmdfDevice: return lists[3];
    case ArgKind::Video: return lists[4];
    default: return lists[0];
  }
}

// The length of what a call makes, as far as decoding can tell: its
// DDIMAP_LENGTH parameter's value, or the length of the file it names.
u64 MappedLength(const Op& op, const State& st) {
  const CallDesc& d = Call(op.id);
  if (d.length_param < 0) return 0;
  const Arg& a = op.args[d.length_param];
  switch (d.params[d.length_param].kind) {
    case ArgKind::File:
      if (a.kind == Arg::Ref && a.value < st.results.size()) return st.results[a.value].length;
      return 0;
    case ArgKind::FileName:
      for (const auto& f : *st.files)
        if (f.name == op.file_name) return f.length;
      return 0;
    default: return a.value;
  }
}

void Record(const Op& op, State* st) {
  Resource r = MadeResource(op.id);
  if (r != Resource::None) st->Add(r, MappedLength(op, *st));
}

// --- decoding one argument ----------------------------------------------------

Arg RefFromNewest(const std::vector<u64>& list, u8 b, u64 delta = 0) {
  return Arg{Arg::Ref, list[list.size() - 1 - (b % list.size())], delta};
}

Arg DecodeArg(ArgKind kind, Reader& r, const State& st) {
  auto c = [](u64 v) { return Arg{Arg::Const, v, 0}; };
  switch (kind) {
    case ArgKind::VirtAddr: {
      u8 s = r.Byte();
      const auto& maps = st.Of(Resource::Mapping);
      if (s == kRaw64) return c(r.Le(8));
      if (s >= 0xF0 || maps.empty()) return c(kAddressConsts[s % kAddressConsts.size()]);
      u8 which = r.Byte();
      u64 target = maps[maps.size() - 1 - (which % maps.size())];
      u64 len = st.results[target].length;
      u64 delta = 0;
      switch (s % 8) {
        case 0: delta = 0; break;
        case 1: delta = r.Byte(); break;
        case 2: delta = len; break;
        case 3: delta = len - 1; break;
        case 4: delta = ~0ull; break;  // one byte before the base
        case 5: delta = kPageSize; break;
        case 6: delta = r.Le(2); break;
        case 7: delta = r.Le(8); break;
      }
      return Arg{Arg::Ref, target, delta};
    }
    case ArgKind::Len32:
    case ArgKind::Len64:
    case ArgKind::InOutLen32: {
      u64 mask = kind == ArgKind::Len64 ? ~0ull : 0xFFFFFFFFull;
      u8 s = r.Byte();
      if (s == kRaw64) return c(r.Le(8) & mask);
      if (s == kRaw32) return c(r.Le(4) & mask);
      if (s == kRaw16) return c(r.Le(2) & mask);
      const auto& maps = st.Of(Resource::Mapping);
      if (s >= 0xE0) return c(kLengthConsts[(s - 0xE0) % kLengthConsts.size()] & mask);
      if (maps.empty()) return c(kLengthConsts[s % kLengthConsts.size()] & mask);
      u64 len = st.results[maps[maps.size() - 1 - (r.Byte() % maps.size())]].length;
      constexpr u64 kVariants[] = {0, 1, ~0ull, kPageSize, ~kPageSize + 1};
      return c((len + kVariants[s % 5]) & mask);
    }
    case ArgKind::PhysAddr: {
      u8 s = r.Byte();
      if (s == kRaw64) return c(r.Le(8));
      const auto& res = WorldResources();
      const WorldResource& w = res[r.Byte() % res.size()];
      switch (s % 6) {
        case 0: return c(w.start);
        case 1: return c(w.start + r.Le(2));
        case 2: return c(w.start + w.length - kPageSize);
        case 3: return c(w.start + w.length);
        case 4: return c(w.start + (static_cast<u64>(r.Byte()) << 12));
        default: return c(w.start - kPageSize);
      }
    }
    case ArgKind::Irql: {
      u8 s = r.Byte();
      return c(s < 0xC0 ? s & 3 : r.Byte());
    }
    case ArgKind::Adapter:
    case ArgKind::WdmDevice:
    case ArgKind::UmdfDevice:
    case ArgKind::Video:
    case ArgKind::AnyObject: {
      u8 s = r.Byte();
      if (s == kRaw64) return c(r.Le(8));
      if (s == 0xFE) return c(0);
      if (s >= 0xF0) return c(WorldObjects()[(s - 0xF0) % WorldObjects().size()].handle);
      const auto& objs = ObjectsOf(kind);
      return c(objs[s % objs.size()]->handle);
    }
    case ArgKind::Process:
    case ArgKind::InOutVirtAddr:
    case ArgKind::File: {
      u8 s = r.Byte();
      if (s == kRaw64) return c(r.Le(8));
      const auto& list = st.Of(kind == ArgKind::File ? Resource::File : Resource::Process);
      if (s >= 0xE0 || list.empty()) return c(0);
      return RefFromNewest(list, s);
    }
    case ArgKind::CacheType: {
      u8 s = r.Byte();
      if (s == kRaw64) return c(r.Le(8));
      if (s >= 0xF0) return c(kCacheConsts[(s - 0xF0) % kCacheConsts.size()]);
      return c(s % 3);
    }
    case ArgKind::Protect: {
      u8 s = r.Byte();
      if (s == kRaw64) return c(r.Le(8));
      return c(kProtects[s % kProtects.size()]);
    }
    case ArgKind::InOutVideoFlags:
    case ArgKind::VideoFlags: {
      u8 s = r.Byte();
      if (s == kRaw32) return c(r.Le(4));
      return c(kVideoFlags[s % kVideoFlags.size()]);
    }
    case ArgKind::Value: {
      u8 s = r.Byte();
      if (s == kRaw64) return c(r.Le(8));
      if (s == kRaw32) return c(r.Le(4));
      return c(s);
    }
    case ArgKind::Bool: return c(r.Byte() & 1);
    case ArgKind::Callback: return c(r.Byte() % kCallbackCount);
    case ArgKind::FileName: return c(r.Byte() % (st.files->size() + 1));
    case ArgKind::Count: {
      // A port buffer's element count: small, or raw up to 0xFFFF (the
      // runner supplies the buffer).
      u8 s = r.Byte();
      return c(s == kRaw16 ? r.Le(2) : s % (kSmallCounts + 1));
    }
    default: return c(0);  // out-pointers and building-only kinds consume nothing
  }
}

// --- encoding one argument ------------------------------------------------------

bool EncodeArg(ArgKind kind, const Arg& a, const State& st, std::vector<u8>* out, std::string* err) {
  auto refpos = [&](Resource want, u8 limit, u8* pos) {
    if (a.value >= st.results.size() || st.results[a.value].kind != want) {
      *err = "r" + std::to_string(a.value) + " is not a result of the right kind here";
      return false;
    }
    const auto& list = st.Of(want);
    auto it = std::find(list.begin(), list.end(), a.value);
    u64 back = static_cast<u64>(list.end() - it) - 1;
    if (back >= limit) {
      *err = "r" + std::to_string(a.value) + " is too far back to reference";
      return false;
    }
    *pos = static_cast<u8>(back);
    return true;
  };
  u64 v = a.value;
  switch (kind) {
    case ArgKind::VirtAddr: {
      if (a.kind == Arg::Const) {
        int i = IndexOf(kAddressConsts, v);
        if (i >= 0 && i < 15) {
          out->push_back(static_cast<u8>(0xF0 + i));
        } else {
          out->push_back(kRaw64);
          PutLe(out, v, 8);
        }
        return true;
      }
      u8 pos;
      if (!refpos(Resource::Mapping, 255, &pos)) return false;
      u64 d = a.delta;
      // Selectors 0..7 mod 8 pick the variant; only the exact ones are used.
      if (d == 0) {
        out->insert(out->end(), {0, pos});
      } else if (d < 256) {
        out->insert(out->end(), {1, pos, static_cast<u8>(d)});
      } else if (d < 65536) {
        out->insert(out->end(), {6, pos});
        PutLe(out, d, 2);
      } else {
        out->insert(out->end(), {7, pos});
        PutLe(out, d, 8);
      }
      return true;
    }
    case ArgKind::Len32:
    case ArgKind::Len64:
    case ArgKind::InOutLen32: {
      int i = IndexOf(kLengthConsts, v);
      if (i >= 0 && (kind == ArgKind::Len64 || v <= 0xFFFFFFFF)) {
        out->push_back(static_cast<u8>(0xE0 + i));
      } else if (v <= 0xFFFFFFFF) {
        out->push_back(kRaw32);
        PutLe(out, v, 4);
      } else if (kind == ArgKind::Len64) {
        out->push_back(kRaw64);
        PutLe(out, v, 8);
      } else {
        *err = "length " + std::to_string(v) + " does not fit 32 bits";
        return false;
      }
      return true;
    }
    case ArgKind::PhysAddr: {
      // A world resource's start (2 bytes) or a 16-bit offset into it (4 bytes)
      // before the raw form (9 bytes): long lifecycles must fit max_len.
      const auto& res = WorldResources();
      for (std::size_t i = 0; i < res.size(); ++i) {
        if (v - res[i].start >= 0x10000) continue;
        if (v == res[i].start) {
          out->insert(out->end(), {0, static_cast<u8>(i)});
        } else {
          out->insert(out->end(), {1, static_cast<u8>(i)});
          PutLe(out, v - res[i].start, 2);
        }
        return true;
      }
      out->push_back(kRaw64);
      PutLe(out, v, 8);
      return true;
    }
    case ArgKind::Irql:
      if (v < 4) {
        out->push_back(static_cast<u8>(v));
      } else if (v <= 255) {
        out->insert(out->end(), {0xC0, static_cast<u8>(v)});
      } else {
        *err = "IRQL " + std::to_string(v) + " is above 255";
        return false;
      }
      return true;
    case ArgKind::Adapter:
    case ArgKind::WdmDevice:
    case ArgKind::UmdfDevice:
    case ArgKind::Video:
    case ArgKind::AnyObject: {
      const auto& objs = ObjectsOf(kind);
      for (std::size_t i = 0; i < objs.size(); ++i)
        if (objs[i]->handle == v) {
          out->push_back(static_cast<u8>(i));
          return true;
        }
      for (std::size_t i = 0; i < WorldObjects().size() && i < 14; ++i)
        if (WorldObjects()[i].handle == v) {
          out->push_back(static_cast<u8>(0xF0 + i));
          return true;
        }
      if (v == 0) {
        out->push_back(0xFE);
      } else {
        out->push_back(kRaw64);
        PutLe(out, v, 8);
      }
      return true;
    }
    case ArgKind::Process:
    case ArgKind::InOutVirtAddr:
    case ArgKind::File: {
      if (a.kind == Arg::Ref) {
        if (a.delta != 0) {  // the binary form names a handle, never an offset from one
          *err = "r" + std::to_string(a.value) + " with an offset has no binary form for a handle";
          return false;
        }
        u8 pos;
        if (!refpos(kind == ArgKind::File ? Resource::File : Resource::Process, 0xE0, &pos)) return false;
        out->push_back(pos);
      } else if (v == 0) {
        out->push_back(0xE0);
      } else {
        out->push_back(kRaw64);
        PutLe(out, v, 8);
      }
      return true;
    }
    case ArgKind::CacheType: {
      int i = IndexOf(kCacheConsts, v);
      if (v < 3) {
        out->push_back(static_cast<u8>(v));
      } else if (i >= 0) {
        out->push_back(static_cast<u8>(0xF0 + i));
      } else {
        out->push_back(kRaw64);
        PutLe(out, v, 8);
      }
      return true;
    }
    case ArgKind::Protect: {
      int i = IndexOf(kProtects, v);
      if (i >= 0) {
        out->push_back(static_cast<u8>(i));
      } else {
        out->push_back(kRaw64);
        PutLe(out, v, 8);
      }
      return true;
    }
    case ArgKind::InOutVideoFlags:
    case ArgKind::VideoFlags: {
      int i = IndexOf(kVideoFlags, v);
      if (i >= 0) {
        out->push_back(static_cast<u8>(i));
      } else if (v <= 0xFFFFFFFF) {
        out->push_back(kRaw32);
        PutLe(out, v, 4);
      } else {
        *err = "InIoSpace " + std::to_string(v) + " does not fit 32 bits";
        return false;
      }
      return true;
    }
    case ArgKind::Value:
      if (v < 0xFD) {
        out->push_back(static_cast<u8>(v));
      } else if (v <= 0xFFFFFFFF) {
        out->push_back(kRaw32);
        PutLe(out, v, 4);
      } else {
        out->push_back(kRaw64);
        PutLe(out, v, 8);
      }
      return true;
    case ArgKind::Bool:
      if (v > 1) {
        *err = "a BOOLEAN is TRUE or FALSE";
        return false;
      }
      out->push_back(static_cast<u8>(v));
      return true;
    case ArgKind::Callback:
      if (v >= static_cast<u64>(kCallbackCount)) {
        *err = "unknown callback";
        return false;
      }
      out->push_back(static_cast<u8>(v));
      return true;
    case ArgKind::FileName:
      out->push_back(static_cast<u8>(v));
      return true;
    case ArgKind::Count:
      if (v <= kSmallCounts) {
        out->push_back(static_cast<u8>(v));
      } else if (v <= 0xFFFF) {
        out->push_back(kRaw16);
        PutLe(out, v, 2);
      } else {
        *err = "a Count above 0xffff has no binary form";
        return false;
      }
      return true;
    default: return true;
  }
}

// Which parameters of a call are pointers (may be NULL); one table for all
// calls, since every decoded call asks.
u8 PointerMask(const CallDesc& d) {
  static const auto masks = [] {
    std::array<u8, kCallCount> m{};
    for (std::size_t c = 0; c < kCallCount; ++c) {
      const CallDesc& cd = Call(static_cast<CallId>(c));
      for (int i = 0; i < cd.param_count; ++i)
        if (IsPointerKind(cd.params[i].kind)) m[c] |= static_cast<u8>(1u << i);
    }
    return m;
  }();
  return masks[static_cast<std::size_t>(d.id)];
}

std::string FileNameByIndex(const std::vector<WorldFile>& files, u64 i) {
  return i < files.size() ? files[i].name : std::string(kMissingFile);
}

u64 FileIndexByName(const std::vector<WorldFile>& files, const std::string& name) {
  for (std::size_t i = 0; i < files.size(); ++i)
    if (files[i].name == name) return i;
  return files.size();  // kMissingFile
}

}  // namespace

Resource MadeResource(CallId id) {
  Resource r = Call(id).makes;
  return r == Resource::Mapping || r == Resource::File || r == Resource::Process ? r : Resource::None;
}

Resource RefResourceFor(ArgKind kind) {
  switch (kind) {
    case ArgKind::VirtAddr: return Resource::Mapping;
    case ArgKind::File: return Resource::File;
    case ArgKind::Process:
    case ArgKind::InOutVirtAddr: return Resource::Process;
    default: return Resource::None;
  }
}

Program Decode(const u8* data, std::size_t size, const Profile& profile, std::size_t max_calls,
               std::shared_ptr<const World> world) {
  Program p;
  p.reserve(std::min(max_calls, size / 4 + 1));  // most calls take 4+ bytes; growth would copy big Ops
  DecodeInto(data, size, profile, &p, max_calls, std::move(world));
  return p;
}

void DecodeInto(const u8* data, std::size_t size, const Profile& profile, Program* out, std::size_t max_calls,
                std::shared_ptr<const World> world) {
  Reader r(data, size);
  // Reused, like *out: a fuzz target decodes every input.
  static thread_local State st;
  st.Clear();
  st.files = world ? &world->files : &WorldFiles();
  Program& p = *out;
  p.clear();
  p.teardown = {};  // the binary form states no expectation
  p.teardown_line = 0;
  p.world = std::move(world);
  while (!r.done() && p.size() < max_calls) {
    u8 h = r.Byte();
    u8 opcode = h & 0x7F;
    u8 nulls = (h & 0x80) ? r.Byte() : 0;
    if (opcode >= kCallCount) continue;
    CallId id = static_cast<CallId>(opcode);
    if (!profile.Allows(id) || IsBuildingCall(id)) continue;
    const CallDesc& d = Call(id);
    Op& op = p.emplace_back();  // in place: an Op is large, and a move copies most of it
    op.id = id;
    op.null_mask = nulls & PointerMask(d);
    for (int i = 0; i < d.param_count; ++i) {
      op.args[i] = DecodeArg(d.params[i].kind, r, st);
      if (d.params[i].kind == ArgKind::FileName && !((op.null_mask >> i) & 1))
        op.file_name = FileNameByIndex(*st.files, op.args[i].value);
      // A NULL pointer has no value: the bytes are consumed (so the layout
      // does not depend on the mask) and the argument normalised.
      if (d.params[i].kind == ArgKind::FileName || ((op.null_mask >> i) & 1)) op.args[i] = Arg{};
    }
    if (r.short_read()) {  // a truncated call ends the program
      p.pop_back();
      break;
    }
    Record(op, &st);
  }
}

bool Encode(const Program& p, std::vector<u8>* out, std::string* error, std::vector<std::size_t>* op_starts) {
  State st;
  if (p.world) st.files = &p.world->files;
  out->clear();
  if (op_starts) op_starts->clear();
  for (std::size_t n = 0; n < p.size(); ++n) {
    const Op& op = p[n];
    if (op_starts) op_starts->push_back(out->size());
    const CallDesc& d = Call(op.id);
    if (IsBuildingCall(op.id)) {
      *error = "call " + std::to_string(n + 1) + ": " + std::string(d.name) + " builds the machine; harnesses start from the standard world";
      return false;
    }
    u8 nulls = op.null_mask & PointerMask(d);
    out->push_back(static_cast<u8>(static_cast<u8>(op.id) | (nulls ? 0x80 : 0)));
    if (nulls) out->push_back(nulls);
    for (int i = 0; i < d.param_count; ++i) {
      ArgKind k = d.params[i].kind;
      Arg a = op.args[i];
      if (k == ArgKind::FileName) {
        if ((nulls >> i) & 1) {
          out->push_back(0);
          continue;
        }
        a = Arg{Arg::Const, FileIndexByName(*st.files, op.file_name), 0};
        if (a.value == st.files->size() && op.file_name != kMissingFile) {
          *error = "call " + std::to_string(n + 1) + ": file \"" + op.file_name + "\" is not in the world's file table";
          return false;
        }
      }
      std::string err;
      if (!EncodeArg(k, a, st, out, &err)) {
        *error = "call " + std::to_string(n + 1) + " (" + std::string(d.name) + "), parameter " +
                 std::string(d.params[i].name) + ": " + err;
        return false;
      }
    }
    Record(op, &st);
  }
  return true;
}

}  // namespace ddimap::harness
