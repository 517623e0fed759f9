//! Timing that survives a shared machine: medians of interleaved rounds.

use std::time::{Duration, Instant};

/// How many calls of `f` fill about 10 ms.
fn batch(f: &mut dyn FnMut()) -> u32 {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < Duration::from_millis(10) {
        f();
        calls += 1;
    }
    calls.max(1)
}

/// The median time of one call of each function, sampled in interleaved rounds so that load
/// from the rest of the machine falls on every candidate alike; `rounds` rounds.
pub(crate) fn medians_of<const N: usize>(
    rounds: usize,
    mut fs: [&mut dyn FnMut(); N],
) -> [Duration; N] {
    let sizes: Vec<u32> = fs.iter_mut().map(|f| batch(*f)).collect();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); N];
    for _ in 0..rounds.max(1) {
        for (i, f) in fs.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..sizes[i] {
                f();
            }
            samples[i].push(t.elapsed() / sizes[i]);
        }
    }
    std::array::from_fn(|i| {
        samples[i].sort();
        samples[i][samples[i].len() / 2]
    })
}
