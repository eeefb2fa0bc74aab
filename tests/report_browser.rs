//! `report.html` in a real browser: headless Chromium loads a run's page, its script draws the
//! chart and fills the tables without an error, and zooming (the buttons, the wheel, a drag, a
//! table row, down to one second) moves the view. Skipped, saying so, when no Chromium is on
//! PATH (`.ci/run` installs Debian's when it can).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use imagefs_sim::report::html::REPORT_FILE;
use imagefs_sim::runner::run_to_dir;
use imagefs_sim::scenario::Scenario;

const SKIP: &str = "skipped: no chromium (install Debian's chromium; .ci/run does)";

/// The first of `chromium`, `chromium-browser`, `google-chrome` on PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// The DOM of `url` after its scripts ran, from `chromium --headless --dump-dom`, with a
/// profile of its own in `scratch` (tests run in parallel) and at most a minute.
fn dump_dom(browser: &Path, scratch: &Path, url: &str) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--window-size=1400,1000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("profile").display()
        ))
        .args(["--dump-dom", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("chromium took over a minute on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// A day of the quickstart with a start_time, run into `dir`.
fn run(dir: &Path) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    let text = fs::read_to_string(&path).unwrap().replace(
        "duration = \"7d\"",
        "duration = \"1d\"\nstart_time = \"2026-03-18T06:47:29Z\"",
    );
    run_to_dir(&Scenario::from_str(&path, &text).unwrap(), dir).unwrap();
}

fn attr<'a>(dom: &'a str, element: &str, name: &str) -> &'a str {
    let at = dom
        .find(element)
        .unwrap_or_else(|| panic!("no {element} in the DOM"));
    let tag = &dom[at..at + dom[at..].find('>').unwrap()];
    let key = format!("{name}=\"");
    let v = &tag[tag
        .find(&key)
        .unwrap_or_else(|| panic!("{tag} has no {name}"))
        + key.len()..];
    &v[..v.find('"').unwrap()]
}

/// The embedded usage points and table rows, as the page has them.
fn embedded_counts(html: &str) -> (u64, u64, u64) {
    const OPEN: &str = "<script type=\"application/json\" id=\"report-data\">";
    let start = html.find(OPEN).unwrap() + OPEN.len();
    let json = &html[start..start + html[start..].find("</script>").unwrap()];
    let d: serde_json::Value = serde_json::from_str(json).unwrap();
    (
        d["usage"]["points"].as_u64().unwrap(),
        d["gc_passes"]["rows"].as_u64().unwrap(),
        d["evictions"]["rows"].as_u64().unwrap(),
    )
}

#[test]
fn chromium_draws_the_report_without_errors() {
    let Some(browser) = chromium() else {
        println!("{SKIP}");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("run");
    run(&out);
    let page = out.join(REPORT_FILE);
    let (points, gc_rows, eviction_rows) = embedded_counts(&fs::read_to_string(&page).unwrap());
    assert!(points > 10 && gc_rows > 0 && eviction_rows > 0);

    let dom = dump_dom(&browser, d.path(), &format!("file://{}", page.display()));
    assert!(
        dom.contains("<div id=\"errors\" hidden=\"\"></div>"),
        "the page reported errors: {}",
        &dom[dom.find("id=\"errors\"").unwrap_or(0)..][..300.min(dom.len())]
    );
    assert_eq!(attr(&dom, "<div id=\"chart\"", "data-drawn"), "1");
    assert_eq!(
        attr(&dom, "<div id=\"chart\"", "data-points"),
        points.to_string()
    );
    assert_eq!(attr(&dom, "<div id=\"chart\"", "data-view"), "0,86400");
    let columns: u64 = attr(&dom, "<div id=\"chart\"", "data-columns")
        .parse()
        .unwrap();
    assert!(columns > 500, "{columns} pixel columns drawn");
    let table = |id: &str| {
        let at = dom.find(id).unwrap();
        let end = at + dom[at..].find("</table>").unwrap();
        dom[at..end].matches("<tr data-t=").count() as u64
    };
    assert_eq!(table("id=\"gc-table\""), gc_rows);
    assert_eq!(table("id=\"evictions-table\""), eviction_rows);
    // With a start_time, the tables have a UTC column in wall-clock time.
    assert!(dom.contains("<th>UTC</th>") && dom.contains(">2026-03-18T"));
}

/// A page that loads the report in a frame, zooms it as a user would and writes the view
/// (`name=t0,t1`) after each step.
const DRIVER: &str = r#"<!DOCTYPE html><html><body><pre id="out"></pre>
<iframe id="f" src="REPORT" width="1300" height="900"></iframe>
<script>
const out = document.getElementById('out');
document.getElementById('f').onload = function () {
  try {
    const d = this.contentDocument, w = this.contentWindow;
    const chart = d.getElementById('chart');
    const log = (k) => { out.textContent += k + '=' + chart.dataset.view + '\n'; };
    const click = (id) => d.getElementById(id).click();
    log('start');
    click('zoom-in'); log('zoom-in');
    click('pan-right'); log('pan-right');
    click('zoom-out'); log('zoom-out');
    click('reset'); log('reset');
    const c = d.getElementById('chart-canvas'), r = c.getBoundingClientRect();
    const at = (x) => ({ clientX: r.left + x, clientY: r.top + 100, bubbles: true, cancelable: true });
    c.dispatchEvent(new WheelEvent('wheel', Object.assign({ deltaY: -100 }, at(400)))); log('wheel');
    click('reset');
    c.dispatchEvent(new MouseEvent('mousedown', at(230)));
    w.dispatchEvent(new MouseEvent('mousemove', at(330)));
    w.dispatchEvent(new MouseEvent('mouseup', at(330)));
    log('drag');
    d.querySelector('#gc-table tbody tr').click(); log('row');
    for (let i = 0; i < 40; i++) click('zoom-in');
    log('closest');
    out.textContent += 'errors=' + d.getElementById('errors').textContent.replace(/\n/g, ' ') + '\n';
  } catch (e) { out.textContent += 'failed=' + e + '\n'; }
};
</script></body></html>
"#;

#[test]
fn chromium_zooms_the_report_from_the_whole_run_to_a_second() {
    let Some(browser) = chromium() else {
        println!("{SKIP}");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("run");
    run(&out);
    let driver = d.path().join("driver.html");
    fs::write(
        &driver,
        DRIVER.replace(
            "REPORT",
            &format!("file://{}", out.join(REPORT_FILE).display()),
        ),
    )
    .unwrap();
    let dom = dump_dom(&browser, d.path(), &format!("file://{}", driver.display()));
    let text = &dom[dom.find("<pre id=\"out\">").expect("the driver's output") + 14..];
    let text = &text[..text.find("</pre>").unwrap()];
    let view = |name: &str| -> (f64, f64) {
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {text}"));
        let (a, b) = line
            .split_once(',')
            .unwrap_or_else(|| panic!("{name}={line}"));
        (a.parse().unwrap(), b.parse().unwrap())
    };
    assert!(text.contains("errors=\n"), "{text}");
    assert_eq!(view("start"), (0.0, 86_400.0));
    assert_eq!(view("zoom-in"), (21_600.0, 64_800.0));
    assert_eq!(view("pan-right"), (32_400.0, 75_600.0));
    assert_eq!(view("zoom-out"), (0.0, 86_400.0));
    assert_eq!(view("reset"), (0.0, 86_400.0));
    // The wheel zooms in by 0.8 around the cursor.
    let (a, b) = view("wheel");
    assert!((b - a - 0.8 * 86_400.0).abs() < 1.0 && a > 0.0, "{a},{b}");
    // A 100 px drag across a plot about 1000 px wide: a tenth of the day or so.
    let (a, b) = view("drag");
    assert!(a > 0.0 && (5_000.0..15_000.0).contains(&(b - a)), "{a},{b}");
    // The first GC pass's row: an hour around its instant.
    let (a, b) = view("row");
    assert!((b - a - 3_600.0).abs() < 1e-6, "{a},{b}");
    // Zoomed in as far as it goes: one second.
    let (a, b) = view("closest");
    assert!((b - a - 1.0).abs() < 1e-3, "{a},{b}");
}
