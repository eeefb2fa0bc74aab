//! Contract test for `imagefs_sim::units`: the public names and signatures other
//! modules code against, each exercised once with an exact expected value.

use imagefs_sim::units::{
    format_binary_size_1dec, format_go_duration, format_go_duration_ms, parse_bytes,
    parse_go_duration, parse_percentage, parse_sim_duration, percentage_of, Quantity, UnitError,
};

#[test]
fn duration_contract() {
    let parse: fn(&str) -> Result<i64, UnitError> = parse_go_duration;
    assert_eq!(parse("2m0s"), Ok(120_000_000_000));
    let parse_sim: fn(&str) -> Result<i64, UnitError> = parse_sim_duration;
    assert_eq!(parse_sim("1d12h"), Ok(129_600_000_000_000));
    assert_eq!(
        parse("5").unwrap_err().to_string(),
        r#"time: missing unit in duration "5""#
    );
    let format: fn(i64) -> String = format_go_duration;
    assert_eq!(format(300_000_000_000), "5m0s");
    let format_ms: fn(i64) -> String = format_go_duration_ms;
    assert_eq!(format_ms(1_481_234_567), "1.481s");
}

#[test]
fn quantity_contract() {
    let q: Quantity = Quantity::parse("1.5G").unwrap();
    assert_eq!(q.value(), 1_500_000_000);
    assert_eq!(q.to_string(), "1500M");
    assert!(!q.is_negative());
    assert!(!q.is_zero());
    let b = Quantity::from_bytes_binary(24_672_280_576);
    assert_eq!(b.to_string(), "24094024Ki");
    assert_eq!(b.clone(), b);
    assert_eq!(
        Quantity::parse("5x").unwrap_err().to_string(),
        "quantities must match the regular expression \
         '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    );
    let bytes: fn(&str) -> Result<u64, UnitError> = parse_bytes;
    assert_eq!(bytes("100Mi"), Ok(104_857_600));
}

#[test]
fn percentage_and_size_contract() {
    let pct: f32 = parse_percentage("10%").unwrap();
    assert_eq!(pct, 0.1f32);
    let amount: i64 = percentage_of(1000, pct);
    assert_eq!(amount, 100);
    let text: String = format_binary_size_1dec(10 * 1024 * 1024 * 1024);
    assert_eq!(text, "10.0 GiB");
}
