#include "../01-boltzmann-recovery/claims_verdict.cpp"  // the one verdict rule, shared with chapter 1
