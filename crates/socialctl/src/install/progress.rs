//! The playbook's progress feed (ansible/callback_plugins/social_progress.py) read as it grows,
//! and its display: "task n of m" with the current role, and the findings at the end.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead as _, Write as _};

/// One line of the feed.
#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A play starts; `tasks` is the number of tasks it will start (static count).
    Play { tasks: u64 },
    /// A task starts.
    Task { task: String, role: String },
    /// A handler starts (not counted in the total).
    Handler { task: String, role: String },
    /// One host's result of the current task.
    Result {
        status: String,
        host: String,
        task: String,
        role: String,
        #[serde(default)]
        message: String,
    },
    /// The run's closing counts per host.
    Stats { hosts: BTreeMap<String, HostStats> },
}

/// PLAY RECAP counts of one host.
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct HostStats {
    pub ok: u64,
    pub changed: u64,
    pub failures: u64,
    pub unreachable: u64,
    pub skipped: u64,
    #[serde(default)]
    pub rescued: u64,
    #[serde(default)]
    pub ignored: u64,
}

/// A task that failed (or a host that could not be reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub host: String,
    pub task: String,
    pub role: String,
    pub message: String,
    pub unreachable: bool,
}

/// What the feed said so far.
#[derive(Debug, Default)]
pub struct Progress {
    /// Tasks announced by the plays started so far.
    pub total: u64,
    /// Tasks started so far.
    pub started: u64,
    pub current: Option<(String, String)>,
    pub failures: Vec<Failure>,
    /// Tasks that changed (or, with --check, would change) something: "host: role : task".
    pub changes: Vec<String>,
    pub stats: Option<BTreeMap<String, HostStats>>,
}

impl Progress {
    /// Takes one event into account.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Play { tasks, .. } => self.total += tasks,
            Event::Task { task, role } => {
                self.started += 1;
                // Dynamic includes can start more tasks than the static count announced.
                self.total = self.total.max(self.started);
                self.current = Some((role, task));
            }
            Event::Handler { task, role } => {
                self.current = Some((role, format!("handler: {task}")))
            }
            Event::Result {
                status,
                host,
                task,
                role,
                message,
            } => match status.as_str() {
                "changed" => self
                    .changes
                    .push(format!("{host}: {}", label(&role, &task))),
                "failed" | "unreachable" => self.failures.push(Failure {
                    host,
                    task,
                    role,
                    message,
                    unreachable: status == "unreachable",
                }),
                _ => {}
            },
            Event::Stats { hosts } => self.stats = Some(hosts),
        }
    }

    /// The one-line display of where the run is.
    pub fn line(&self) -> String {
        let (role, task) = self.current.clone().unwrap_or_default();
        let width = self.total.max(1).to_string().len();
        format!(
            "[{:>width$}/{}] {}",
            self.started,
            self.total,
            label(&role, &task)
        )
    }
}

/// "role : task" as ansible-playbook prints it, or the bare task name outside a role.
pub fn label(role: &str, task: &str) -> String {
    if role.is_empty() {
        task.to_owned()
    } else {
        format!("{role} : {task}")
    }
}

/// Reads the feed file from where it left off; keeps a partial last line for the next call.
#[derive(Debug)]
pub struct Feed {
    reader: std::io::BufReader<std::fs::File>,
    partial: String,
}

impl Feed {
    pub fn open(path: &std::path::Path) -> std::io::Result<Self> {
        Ok(Self {
            reader: std::io::BufReader::new(std::fs::File::open(path)?),
            partial: String::new(),
        })
    }

    /// Events completed since the last call. Lines that are not events are skipped.
    pub fn poll(&mut self) -> std::io::Result<Vec<Event>> {
        let mut events = Vec::new();
        loop {
            let mut chunk = String::new();
            if self.reader.read_line(&mut chunk)? == 0 {
                break;
            }
            self.partial.push_str(&chunk);
            if !self.partial.ends_with('\n') {
                break;
            }
            let line = std::mem::take(&mut self.partial);
            if let Ok(event) = serde_json::from_str(line.trim_end()) {
                events.push(event);
            }
        }
        Ok(events)
    }
}

/// Shows progress: an updating line on a terminal, one line per task otherwise.
#[derive(Debug)]
pub struct Display {
    tty: bool,
    last_len: usize,
}

impl Display {
    pub fn new() -> Self {
        use std::io::IsTerminal as _;
        Self {
            tty: std::io::stderr().is_terminal(),
            last_len: 0,
        }
    }

    pub fn show(&mut self, progress: &Progress) {
        let mut line = progress.line();
        let mut err = std::io::stderr().lock();
        if self.tty {
            let cols = terminal_columns();
            if line.chars().count() > cols {
                line = line
                    .chars()
                    .take(cols.saturating_sub(1))
                    .collect::<String>()
                    + "…";
            }
            let pad = self.last_len.saturating_sub(line.chars().count());
            let _ = write!(err, "\r{line}{:pad$}", "");
            self.last_len = line.chars().count();
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }

    /// Ends the updating line so that what follows starts on its own line.
    pub fn finish(&mut self) {
        if self.tty && self.last_len > 0 {
            let _ = writeln!(std::io::stderr());
            self.last_len = 0;
        }
    }
}

fn terminal_columns() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c: &usize| c >= 20)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(lines: &[&str]) -> Progress {
        let mut progress = Progress::default();
        for line in lines {
            progress.apply(serde_json::from_str(line).expect("event"));
        }
        progress
    }

    #[test]
    fn counts_tasks_and_names_the_current_role() {
        let progress = feed(&[
            r#"{"event":"play","name":"all hosts","tasks":3,"time":1}"#,
            r#"{"event":"task","task":"install packages","role":"base","action":"apt"}"#,
            r#"{"event":"result","status":"changed","host":"h1","task":"install packages","role":"base","action":"apt"}"#,
            r#"{"event":"task","task":"render","role":"firewall","action":"template"}"#,
        ]);
        assert_eq!(progress.line(), "[2/3] firewall : render");
        assert_eq!(progress.changes, vec!["h1: base : install packages"]);
        assert!(progress.failures.is_empty());
    }

    #[test]
    fn more_tasks_than_announced_raise_the_total() {
        let progress = feed(&[
            r#"{"event":"play","name":"p","tasks":1}"#,
            r#"{"event":"task","task":"a","role":""}"#,
            r#"{"event":"task","task":"b","role":""}"#,
        ]);
        assert_eq!(progress.line(), "[2/2] b");
    }

    #[test]
    fn failures_and_unreachable_hosts_are_kept_with_their_message() {
        let progress = feed(&[
            r#"{"event":"result","status":"failed","host":"h1","task":"t","role":"redis","message":"boom"}"#,
            r#"{"event":"result","status":"ignored","host":"h1","task":"t2","role":"redis","message":"meh"}"#,
            r#"{"event":"result","status":"unreachable","host":"h2","task":"Gathering Facts","role":"","message":"ssh: no route"}"#,
            r#"{"event":"stats","hosts":{"h1":{"ok":3,"changed":1,"failures":1,"unreachable":0,"skipped":0,"rescued":0,"ignored":1}}}"#,
        ]);
        assert_eq!(progress.failures.len(), 2);
        assert_eq!(progress.failures[0].role, "redis");
        assert_eq!(progress.failures[0].message, "boom");
        assert!(progress.failures[1].unreachable);
        assert_eq!(progress.stats.expect("stats")["h1"].changed, 1);
    }

    #[test]
    fn the_feed_waits_for_a_whole_line() {
        let dir = std::env::temp_dir().join(format!("socialctl-feed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("events");
        std::fs::write(&path, "{\"event\":\"play\",\"name\":\"p\",").expect("write");
        let mut feed = Feed::open(&path).expect("open");
        assert!(feed.poll().expect("poll").is_empty());
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("append");
        file.write_all(b"\"tasks\":4}\nnot json\n").expect("write");
        let events = feed.poll().expect("poll");
        assert!(matches!(events.as_slice(), [Event::Play { tasks: 4, .. }]));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
