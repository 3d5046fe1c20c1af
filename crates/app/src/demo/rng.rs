//! Randomness from a private SplitMix64 generator rather than `rand`, so the plan does
//! not change when the `rand` crate changes its algorithms.

/// SplitMix64: tiny, fast, and fixed forever, so plans stay reproducible.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as usize) as u32
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(super) fn pick<'a, S: AsRef<str>>(&mut self, xs: &'a [S]) -> &'a str {
        let i = self.below(xs.len());
        xs.get(i).map(AsRef::as_ref).unwrap_or("")
    }

    /// Biased towards the front of the list (for surnames ordered by frequency).
    pub(super) fn pick_front<'a, S: AsRef<str>>(&mut self, xs: &'a [S]) -> &'a str {
        let i = self.below(xs.len()).min(self.below(xs.len()));
        xs.get(i).map(AsRef::as_ref).unwrap_or("")
    }

    /// An amount in `lo..=hi` rounded down to a multiple of `step`.
    pub(super) fn amount(&mut self, lo: u32, hi: u32, step: u32) -> u32 {
        let v = self.range(lo, hi);
        let step = step.max(1);
        (v / step * step).max(step)
    }
}

/// Cumulative weights for sampling an index.
#[derive(Debug, Clone)]
pub(super) struct Weighted {
    cum: Vec<f64>,
}

impl Weighted {
    pub(super) fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut acc = 0.0;
        let cum = weights
            .into_iter()
            .map(|w| {
                acc += w.max(0.0);
                acc
            })
            .collect();
        Weighted { cum }
    }

    pub(super) fn total(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    pub(super) fn sample(&self, r: &mut Rng) -> usize {
        let x = r.unit() * self.total();
        self.cum
            .partition_point(|&c| c <= x)
            .min(self.cum.len().saturating_sub(1))
    }
}
