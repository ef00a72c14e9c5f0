// clang's frontend (C to unoptimized LLVM IR) inside the calling process, for `compilerlm cc`'s warm server.
//
// A clang process spends ~30 ms loading libclang-cpp and libLLVM before it reads a line, and cc pays that on
// top of clang's own start for every unit. Here the driver turns the command line into its one cc1 job exactly
// as the clang executable would, and that job runs as clang's integrated cc1 runs it, writing its output
// (the `-S -emit-llvm` text) into memory instead of a file. Anything else than one cc1 job is left to a clang
// process (return -1), so the caller never gets a different answer than clang's.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Driver/Compilation.h>
#include <clang/Driver/Driver.h>
#include <clang/Driver/Job.h>
#include <clang/Driver/Tool.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/TextDiagnosticBuffer.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/FrontendTool/Utils.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>

using namespace clang;

static char *copy_out(const std::string &text, size_t *length) {
  char *out = static_cast<char *>(std::malloc(text.size() + 1));
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = 0;
  *length = text.size();
  return out;
}

extern "C" void clm_frontend_init() {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  llvm::InitializeAllAsmParsers();
}

extern "C" void clm_frontend_free(char *text) { std::free(text); }

// argv[0] is the clang executable (the driver finds its resource folder from it). Returns the exit code clang
// would return (0, or 1 with the error in *diag), or -1 when the command is not one cc1 job.
extern "C" int clm_frontend(const char *const *argv, int argc, char **ir, size_t *ir_length, char **diag,
                            size_t *diag_length) {
  std::string diagnostics;
  llvm::raw_string_ostream diag_stream(diagnostics);
  *ir = nullptr;
  *diag = nullptr;
  *ir_length = *diag_length = 0;

  IntrusiveRefCntPtr<DiagnosticOptions> driver_options = new DiagnosticOptions();
  auto *driver_printer = new TextDiagnosticPrinter(diag_stream, &*driver_options);
  driver_printer->setPrefix("clang");
  DiagnosticsEngine driver_diags(new DiagnosticIDs(), &*driver_options, driver_printer);
  driver::Driver driver(argv[0], llvm::sys::getDefaultTargetTriple(), driver_diags);
  llvm::SmallVector<const char *, 64> args(argv, argv + argc);
  std::unique_ptr<driver::Compilation> compilation(driver.BuildCompilation(args));
  int code = -1;
  if (!compilation || driver_diags.hasErrorOccurred()) {
    code = driver_diags.hasErrorOccurred() ? 1 : -1;
  } else if (compilation->getJobs().size() == 1) {
    const driver::Command &job = *compilation->getJobs().begin();
    const llvm::opt::ArgStringList &cc1 = job.getArguments();
    if (std::strcmp(job.getCreator().getName(), "clang") == 0 && !cc1.empty() &&
        std::strcmp(cc1[0], "-cc1") == 0) {
      // as clang's cc1_main: options parsed with their complaints kept, then told through the real printer
      auto instance = std::make_unique<CompilerInstance>();
      IntrusiveRefCntPtr<DiagnosticOptions> parse_options = new DiagnosticOptions();
      auto *parse_buffer = new TextDiagnosticBuffer();
      DiagnosticsEngine parse_diags(new DiagnosticIDs(), &*parse_options, parse_buffer);
      bool parsed = CompilerInvocation::CreateFromArgs(instance->getInvocation(), llvm::ArrayRef(cc1).drop_front(),
                                                       parse_diags, argv[0]);
      instance->createDiagnostics(new TextDiagnosticPrinter(diag_stream, &instance->getDiagnosticOpts()));
      parse_buffer->FlushDiagnostics(instance->getDiagnostics());
      instance->setVerboseOutputStream(diag_stream);  // "N errors generated." goes with the errors
      llvm::SmallString<0> text;
      instance->setOutputStream(std::make_unique<llvm::raw_svector_ostream>(text));
      bool done = parsed && ExecuteCompilerInvocation(instance.get());
      instance->getDiagnosticClient().finish();
      code = done ? 0 : 1;
      if (done) *ir = copy_out(std::string(text.str()), ir_length);
    }
  }
  diag_stream.flush();
  if (!diagnostics.empty()) *diag = copy_out(diagnostics, diag_length);
  return code;
}
