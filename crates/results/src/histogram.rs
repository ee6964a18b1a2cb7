//! Histograms as text: base64 (standard alphabet, padded) of HdrHistogram's standard V2
//! encoding, which every HdrHistogram implementation reads. Large histograms are stored in
//! the V2+DEFLATE form instead (same encoding, zlib-compressed, its own cookie), where
//! compression pays for its cost; small ones stay plain, since setting up a compressor
//! costs more than the few bytes it would save. An empty histogram is written as nothing
//! at all (the field is left out).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use loadcell_metrics::{LatencyHistogram, new_histogram};
use std::io::Write;

/// Plain V2 encodings longer than this many bytes are compressed.
pub(crate) const COMPRESS_ABOVE: usize = 4096;

/// The cookie that starts a V2+DEFLATE histogram (HdrHistogram's `V2CompressedEncodingCookieBase`
/// with word size 8, as the Java, C and Rust implementations write it).
const V2_COMPRESSED_COOKIE: u32 = 0x1c84_9314;

/// Reusable buffers for encoding many histograms in a row.
pub(crate) struct HistogramEncoder {
    serializer: V2Serializer,
    plain: Vec<u8>,
    compressed: Vec<u8>,
    compress_above: usize,
}

impl HistogramEncoder {
    pub(crate) fn new() -> HistogramEncoder {
        HistogramEncoder::with_threshold(COMPRESS_ABOVE)
    }

    /// An encoder compressing plain encodings longer than `compress_above` bytes.
    pub(crate) fn with_threshold(compress_above: usize) -> HistogramEncoder {
        HistogramEncoder {
            serializer: V2Serializer::new(),
            plain: Vec::new(),
            compressed: Vec::new(),
            compress_above,
        }
    }

    /// The histogram as base64 text, or `None` when it is empty.
    pub(crate) fn encode(&mut self, h: &LatencyHistogram) -> Result<Option<String>, String> {
        if h.is_empty() {
            return Ok(None);
        }
        self.plain.clear();
        self.serializer
            .serialize(h, &mut self.plain)
            .map_err(|e| e.to_string())?;
        if self.plain.len() <= self.compress_above {
            return Ok(Some(STANDARD.encode(&self.plain)));
        }
        self.compressed.clear();
        self.compressed.extend_from_slice(&V2_COMPRESSED_COOKIE.to_be_bytes());
        self.compressed.extend_from_slice(&[0; 4]); // length, filled in below
        let mut zlib = ZlibEncoder::new(std::mem::take(&mut self.compressed), Compression::fast());
        zlib.write_all(&self.plain).map_err(|e| e.to_string())?;
        self.compressed = zlib.finish().map_err(|e| e.to_string())?;
        let len = u32::try_from(self.compressed.len() - 8).map_err(|e| e.to_string())?;
        self.compressed[4..8].copy_from_slice(&len.to_be_bytes());
        Ok(Some(STANDARD.encode(&self.compressed)))
    }
}

/// Decodes a histogram written by [`HistogramEncoder::encode`]; `None` is an empty one.
/// The result grows as values are added, like every histogram loadcell records into.
pub(crate) fn decode(text: Option<&str>) -> Result<LatencyHistogram, String> {
    let Some(text) = text else {
        return Ok(new_histogram());
    };
    let bytes = STANDARD.decode(text).map_err(|e| format!("bad base64: {e}"))?;
    let mut h: LatencyHistogram = Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("bad histogram: {e:?}"))?;
    h.auto(true);
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_metrics::record_us;

    #[test]
    fn round_trips_exactly_and_keeps_growing() -> Result<(), String> {
        let mut h = new_histogram();
        for v in [1u64, 150, 999, 1_000, 12_345, 30_000_000] {
            record_us(&mut h, v);
        }
        let mut enc = HistogramEncoder::new();
        let text = enc.encode(&h)?;
        let mut back = decode(text.as_deref())?;
        assert_eq!(back, h);
        assert_eq!(back.value_at_quantile(0.5), h.value_at_quantile(0.5));
        record_us(&mut back, 7_200_000_000);
        assert!(back.max() >= 7_190_000_000);
        Ok(())
    }

    #[test]
    fn large_histograms_are_compressed_and_still_exact() -> Result<(), String> {
        let mut h = new_histogram();
        for v in 1..=50_000u64 {
            record_us(&mut h, v * 7);
        }
        let mut plain = HistogramEncoder::with_threshold(usize::MAX);
        let mut packed = HistogramEncoder::with_threshold(0);
        let (plain, packed) = (
            plain.encode(&h)?.unwrap_or_default(),
            packed.encode(&h)?.unwrap_or_default(),
        );
        assert!(packed.len() < plain.len() / 2, "{} vs {}", packed.len(), plain.len());
        assert_eq!(decode(Some(&packed))?, h);
        assert_eq!(decode(Some(&plain))?, h);
        // The compressed form is HdrHistogram's own: its serializer's output decodes the same way.
        let mut theirs = Vec::new();
        hdrhistogram::serialization::V2DeflateSerializer::new()
            .serialize(&h, &mut theirs)
            .map_err(|e| e.to_string())?;
        assert_eq!(&STANDARD.decode(&packed).map_err(|e| e.to_string())?[..4], &theirs[..4]);
        Ok(())
    }

    #[test]
    fn empty_is_nothing_and_junk_is_an_error() -> Result<(), String> {
        assert_eq!(HistogramEncoder::new().encode(&new_histogram())?, None);
        assert!(decode(None)?.is_empty());
        assert!(decode(Some("not base64!")).is_err());
        assert!(decode(Some("AAAA")).is_err());
        Ok(())
    }
}
