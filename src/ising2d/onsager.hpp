#pragma once
// The infinite square lattice at h = 0 (Onsager 1944, Yang 1952), per spin, k_B = 1, J > 0.
// Reference: ../shared/reference/ising-2d.md; finite tori converge to these (tests compare with
// Kaufman's 128 x 128 and 256 x 256 tori away from T_c).
namespace spinformer::ising2d {

// f = -T [ln(2 cosh 2K) + (1/pi) int_0^{pi/2} ln((1 + sqrt(1 - k^2 sin^2 t)) / 2) dt],
// k = 2 sinh 2K / cosh^2 2K (the double integral of the reference sheet reduced to one dimension).
double onsager_free_energy_per_spin(double J, double T);
// u = -J coth 2K [1 + (2/pi)(2 tanh^2 2K - 1) K1(k)]; exactly -sqrt(2) J at T_c.
double onsager_energy_per_spin(double J, double T);
// c = (4/pi)(K coth 2K)^2 {K1 - E1 - (1 - tanh^2 2K)[pi/2 + (2 tanh^2 2K - 1) K1]}; +inf at T_c.
// (The form with 2 K1 - 2 E1 under a 2/pi prefactor that some texts print is wrong: it misses the
// 2 on the last term; this one agrees with Kaufman's 256 x 256 torus and with du/dT to 1e-9.)
double onsager_specific_heat_per_spin(double J, double T);
// Spontaneous magnetisation (1 - sinh(2K)^-4)^{1/8} below T_c, 0 at and above.
double yang_magnetization(double J, double T);

}  // namespace spinformer::ising2d
