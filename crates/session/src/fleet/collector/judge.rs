//! The merged seconds as they are written: shown, published (`--prometheus`) and judged —
//! the thresholds on the merged totals, with the run's own abort check, so the live verdict
//! is the one the final rebuild comes to.

use super::{Fleet, Judged, Progress, adjust};
use crate::error::SessionError;
use loadcell_analysis::AbortCheck;
use loadcell_engine::Control;
use loadcell_results::RunMeta;
use std::time::Duration;

impl Fleet<'_> {
    /// Writes the seconds every running part has gone past; shows and judges them.
    pub(super) fn write_ready(&mut self) -> Result<(), SessionError> {
        let Some(live) = &mut self.live else { return Ok(()) };
        // Until every expected part joined, its first seconds might still come.
        let waiting = (self.parts.len() as u64) < self.spec.expect && self.last_join.elapsed() < self.spec.silence;
        if waiting || live.write_ready()? == 0 {
            return Ok(());
        }
        let overall = live.total().overall();
        let last = live.last().cloned().unwrap_or_default();
        let progress = Progress {
            sending: self.parts.values().filter(|p| !p.ended && p.lost.is_none()).count() as u64,
            expected: self.spec.expect,
            t_s: last.t_s,
            rate_per_s: last.rate_per_s,
            requests: overall.requests(),
            failed: overall.failed,
            p95_ms: loadcell_metrics::latency_stats(&overall.latency).p95,
        };
        self.view.progress(&progress);
        if let Some(metrics) = &self.metrics {
            metrics.publish(live.total(), &live.names(), &last);
        }
        self.judge(last.t_s, last.warmup);
        Ok(())
    }

    /// Judges the thresholds on the merged data so far (`--abort-on-fail`, or a
    /// threshold's own `abortOnFail`); a failure stops every part at its next message.
    pub(super) fn judge(&mut self, t_s: f64, warmup: bool) {
        let (Some(live), Some(judged)) = (&self.live, &self.judged) else {
            return;
        };
        if self.stop.is_some() || warmup {
            return;
        }
        let every = self.spec.abort_on_fail;
        if !every && judged.thresholds.iter().all(|t| t.abort_after.is_none()) {
            return;
        }
        let mut check = AbortCheck {
            thresholds: &judged.thresholds,
            endpoints: &[],
            checks: &judged.checks,
            custom_sites: &judged.custom_sites,
            vus_limit: judged.vus_limit,
            every,
            delay: self.spec.abort_delay,
            warmup: judged.warmup,
            failed: None,
        };
        let elapsed = Duration::try_from_secs_f64(t_s).unwrap_or_default();
        if check.judge_named(live.total(), &live.names(), elapsed, None) == Control::Abort {
            let why = check.failed.unwrap_or_default();
            self.view.note(&format!(
                "fleet-wide threshold failed at {t_s:.1} s: {why}; every part is told to stop"
            ));
            self.stop = Some(why);
        }
    }

    /// The merged folder's `meta.json`: the part's, made the whole test's, with the
    /// collector's own thresholds and `--abort-on-fail`.
    pub(super) fn whole_meta(&self, meta: &RunMeta) -> RunMeta {
        let mut whole = meta.clone();
        whole.segment = None;
        whole.own_vus_limit = None;
        whole.merged = Vec::new();
        adjust(&self.spec, &mut whole);
        whole
    }

    pub(super) fn judged_for(&self, whole: &RunMeta) -> Judged {
        // Parsed as the final rebuild parses them, so the live verdict and the summary agree.
        let thresholds = crate::rebuild::thresholds_of(whole);
        Judged {
            thresholds,
            checks: whole.checks.iter().map(|c| c.to_name()).collect(),
            custom_sites: whole.custom_sites.iter().map(|c| c.to_name()).collect(),
            // As the final rebuild judges it, so the live verdict and the summary agree.
            vus_limit: whole.vus_limit.unwrap_or_else(|| whole.model.to_model().vus_limit()),
            warmup: whole.warmup(),
        }
    }
}
