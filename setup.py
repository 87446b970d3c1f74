"""Build of the compiled core (all metadata is in setup.cfg).

The extension modules are written in Cython. They must compute exactly what R's
arithmetic computes, so the compiler may not change it: no contraction of ``a * b + c``
into a fused multiply-add (GCC and Clang contract by default where the target has FMA,
as on aarch64 or with ``-march=native``), no fast-math, whatever CFLAGS say. Only the
integer sums of ``_sums.pyx`` are reordered and vectorised, and they are exact.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

MODULES = ["_kernels", "_rrandom", "_sparse", "_sums"]
COMPILE_ARGS = ["-O3", "-g0", "-fno-fast-math", "-ffp-contract=off"]  # after CFLAGS: these win


class BuildExt(build_ext):
    def build_extensions(self):
        if self.compiler.compiler_type == "unix":  # GCC, Clang (MSVC does not contract without /fp:fast)
            for extension in self.extensions:
                extension.extra_compile_args = COMPILE_ARGS + extension.extra_compile_args
        super().build_extensions()


setup(
    ext_modules=cythonize(
        [Extension(f"graddescent.{name}", [f"src/graddescent/{name}.pyx"]) for name in MODULES],
        compiler_directives={"language_level": 3},
    ),
    cmdclass={"build_ext": BuildExt},
)
