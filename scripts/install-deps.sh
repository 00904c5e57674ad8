#!/usr/bin/env bash
# Installs the Debian 12 packages Spinformer needs, only those that are missing.
# Idempotent: a second run with everything present does nothing and says so.
set -euo pipefail

packages=(
  cmake g++ make pkg-config git
  python3                             # the CLI tests check JSON outputs with a few lines of Python
  libtorch-dev libopenblas0-openmp   # without OpenBLAS LibTorch uses reference BLAS (~30x slower)
  libblas-dev   # cblas.h and libblas.so for src/gpt's attention (find_package(BLAS)); its SONAME libblas.so.3 resolves to OpenBLAS at run time (alternatives priority 95 vs 10)
  libeigen3-dev libboost-math-dev libfmt-dev
  libgtest-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  openmpi-bin libopenmpi-dev          # the job engine spreads jobs over MPI ranks (mpirun)
  gnuplot-nox pandoc
  chromium-headless-shell             # make test loads every page of the website (make html) in a real browser
  texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
