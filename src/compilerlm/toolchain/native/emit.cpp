// Object emission exactly as llc does it, for the in-process fast path.
//
// LLVM's C API LLVMTargetMachineEmitToMemoryBuffer builds its pass manager without the target's
// TargetLibraryInfo, so code generation believes no library function exists (e.g. sqrt is not
// partially inlined) and objects differ from llc's and clang's. This adds the TLI for the module's
// triple, as llc does, and nothing else.
#include <cstdint>
#include <cstring>

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Triple.h>

using namespace llvm;

extern "C" int clm_emit_object(LLVMTargetMachineRef machine, LLVMModuleRef module, char **error,
                               LLVMMemoryBufferRef *out) {
  TargetMachine *tm = reinterpret_cast<TargetMachine *>(machine);
  Module *m = unwrap(module);
  m->setDataLayout(tm->createDataLayout());
  SmallVector<char, 0> buffer;
  raw_svector_ostream stream(buffer);
  legacy::PassManager pm;
  TargetLibraryInfoImpl tlii(Triple(m->getTargetTriple()));
  pm.add(new TargetLibraryInfoWrapperPass(tlii));
  if (tm->addPassesToEmitFile(pm, stream, nullptr, CodeGenFileType::ObjectFile)) {
    *error = strdup("this target cannot emit object files");
    return 1;
  }
  pm.run(*m);
  *out = LLVMCreateMemoryBufferWithMemoryRangeCopy(buffer.data(), buffer.size(), "object");
  return 0;
}

// What the C API cannot set on a target machine: a section per function and per datum, as llc's
// -function-sections/-data-sections set them (`compilerlm cc` builds tuned units so for builds that link with
// --gc-sections), and whether FP math may trap (clang's TargetOptions.NoTrappingFPMath, llc's
// --enable-no-trapping-fp-math; ARM records it in its build attributes).
extern "C" void clm_configure_machine(LLVMTargetMachineRef machine, int functions, int data, int no_trapping_fp_math) {
  TargetMachine *tm = reinterpret_cast<TargetMachine *>(machine);
  tm->Options.FunctionSections = functions != 0;
  tm->Options.DataSections = data != 0;
  tm->Options.NoTrappingFPMath = no_trapping_fp_math != 0;
}

// A digest of the module's exact content, use-list order included (code generation depends on it),
// so that a module some other pipeline already produced is not compiled again.
extern "C" uint64_t clm_module_digest(LLVMModuleRef module) {
  SmallVector<char, 0> buffer;
  raw_svector_ostream stream(buffer);
  WriteBitcodeToFile(*unwrap(module), stream, /*ShouldPreserveUseListOrder=*/true);
  return xxh3_64bits(ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(buffer.data()), buffer.size())) ^
         (uint64_t(buffer.size()) << 1);
}

extern "C" unsigned clm_count_instructions(LLVMModuleRef module) {
  unsigned count = 0;
  for (const Function &f : *unwrap(module))
    count += f.getInstructionCount();
  return count;
}
