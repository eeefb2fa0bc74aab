use imagefs_sim::workload::trace::parse_time;
#[test]
fn t() {
    for ms in [
        1u64,
        870,
        999,
        123_456_789_001,
        31_536_000_123,
        5_000_000_000_001,
    ] {
        let s = format!("{}.{:03}s", ms / 1000, ms % 1000);
        assert_eq!(parse_time(&s).unwrap(), ms * 1_000_000, "{s}");
    }
}
