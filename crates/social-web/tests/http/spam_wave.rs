//! The spam-wave test (issue P8): 200 bots sign up from 200 addresses and try 1,000 spam posts
//! at bot speed (links, mass mentions of strangers, the same text across accounts and by the
//! same account), while 20 established accounts post 500 ordinary messages. At least 95 % of
//! the spam must be refused or held, and no ordinary post held. The figures are printed.

use crate::harness::{Client, TestApp, backends};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use social_core::{RegistrationMode, Role};
use social_web::WebConfig;
use social_web::screening::SpamDefence;

const BOTS: usize = 200;
const SPAM_PER_BOT: usize = 5;
const PEOPLE: usize = 20;
const POSTS_PER_PERSON: usize = 25;

#[derive(Default, Debug)]
struct Tally {
    published: usize,
    held: usize,
    refused: usize,
}

impl Tally {
    fn count(&mut self, status: StatusCode, location: &str) {
        match status {
            StatusCode::SEE_OTHER if location.starts_with("/settings/held") => self.held += 1,
            StatusCode::SEE_OTHER => self.published += 1,
            s if s.is_client_error() => self.refused += 1,
            s => panic!("unexpected answer {s} to a post"),
        }
    }
    fn total(&self) -> usize {
        self.published + self.held + self.refused
    }
}

fn location(resp: &crate::harness::Resp) -> &str {
    resp.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// A client whose requests come from `addr` through the trusted proxy on 127.0.0.1.
fn client_from(app: &TestApp, addr: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(addr).unwrap());
    Client::with_headers(&app.base, headers)
}

/// Bot `b`'s spam attempt `k`: what spam waves send (links to the same shop, the same pitch
/// with the numbers changed, mentions of people the bot has never met).
fn spam(b: usize, k: usize, people: &[String]) -> String {
    let who = |n: usize| format!("@{}", people[(b + n) % people.len()]);
    match (b + k) % 5 {
        0 => format!(
            "Earn ${}00 a day from home! Details at https://quick-cash.example/r/{b}{k}",
            b % 9 + 1
        ),
        1 => format!(
            "{} {} {} {} free crypto giveaway, claim now",
            who(0),
            who(1),
            who(2),
            who(3)
        ),
        2 => format!(
            "Best deals: https://pills.example/{b} https://pills.example/{k} https://casino.example/{b}{k}"
        ),
        3 => format!(
            "{} you won a prize! Claim it at https://prize.example/{b}",
            who(k)
        ),
        _ => format!(
            "Hot singles near you, {} messages waiting, https://dating.example/{b}",
            k + 2
        ),
    }
}

/// Person `p`'s ordinary post `n`: their own words (no two alike), now and then a link or a
/// mention of a friend who follows them.
fn ordinary(p: usize, n: usize, people: &[String]) -> String {
    const TOPICS: [&str; 10] = [
        "sourdough",
        "the bike ride",
        "my tomatoes",
        "the eclipse photos",
        "tonight's chess game",
        "the new scarf",
        "a Rust borrow checker puzzle",
        "the jazz record",
        "the hike up the hill",
        "the pottery class",
    ];
    const TAKES: [&str; 5] = [
        "went better than expected",
        "took all afternoon",
        "made me laugh",
        "needs another try next week",
        "was the highlight of my day",
    ];
    const EXTRAS: [&str; 5] = [
        "",
        " Notes on my blog: https://blog.example/notes",
        " What do you think, @FRIEND?",
        " Thanks to everyone who helped.",
        " More soon.",
    ];
    let friend = &people[(p + PEOPLE - 1) % PEOPLE];
    let extra = EXTRAS[(p + n) % EXTRAS.len()].replace("FRIEND", friend);
    format!(
        "{} {} for {}.{extra}",
        TOPICS[n % TOPICS.len()],
        TAKES[(n / 2 + p) % TAKES.len()],
        ["me", "us", "the family", "the whole street", "our club"][(n / 5) % 5]
    )
}

#[tokio::test]
async fn spam_wave_is_stopped_and_people_are_not() {
    for backend in backends() {
        let config = WebConfig {
            spam: Some(SpamDefence::default()),
            trusted_proxies: vec![("127.0.0.1".parse().unwrap(), 32)],
            ..WebConfig::default()
        };
        let app = TestApp::spawn(&backend, config).await;
        app.set_mode(RegistrationMode::Open).await;

        // Twenty established people, each followed by the next.
        let people: Vec<String> = (0..PEOPLE).map(|p| format!("person{p}")).collect();
        let mut clients = Vec::new();
        for name in &people {
            let id = app.account(name, Role::User).await;
            app.store
                .set_account_created_at(id, now_ms() - 90 * 24 * 3_600_000)
                .await
                .unwrap();
            clients.push(app.login(name).await);
        }
        for (p, client) in clients.iter().enumerate() {
            let next = &people[(p + 1) % PEOPLE];
            client
                .post(&format!("/@{next}/follow"), &[])
                .await
                .assert_status(StatusCode::SEE_OTHER);
        }

        // The wave: 200 sign-ups from 200 addresses, each bot posting at once.
        let started = std::time::Instant::now();
        let mut spam_tally = Tally::default();
        let mut signed_up = 0;
        for b in 0..BOTS {
            let bot = client_from(&app, &format!("198.51.{}.{}", b / 250, b % 250 + 1));
            let name = format!("promo{b}");
            let pw = format!("pw-of-{name}-123");
            let resp = bot
                .post_from(
                    "/signup",
                    "/signup",
                    &[
                        ("username", &name),
                        ("password", &pw),
                        ("password_confirm", &pw),
                    ],
                )
                .await;
            if resp.status != StatusCode::SEE_OTHER {
                // A refused sign-up refuses all of that bot's spam.
                spam_tally.refused += SPAM_PER_BOT;
                continue;
            }
            signed_up += 1;
            for k in 0..SPAM_PER_BOT {
                let resp = bot.post("/posts", &[("text", &spam(b, k, &people))]).await;
                spam_tally.count(resp.status, location(&resp));
            }
        }
        let wave_time = started.elapsed();

        // Meanwhile, ordinary life.
        let mut people_tally = Tally::default();
        for n in 0..POSTS_PER_PERSON {
            for (p, client) in clients.iter().enumerate() {
                let resp = client
                    .post("/posts", &[("text", &ordinary(p, n, &people))])
                    .await;
                people_tally.count(resp.status, location(&resp));
            }
        }
        assert_eq!(spam_tally.total(), BOTS * SPAM_PER_BOT);
        assert_eq!(people_tally.total(), PEOPLE * POSTS_PER_PERSON);
        let stopped = spam_tally.refused + spam_tally.held;
        let share = stopped as f64 * 100.0 / spam_tally.total() as f64;
        eprintln!(
            "spam wave ({backend:?}): {signed_up} of {BOTS} bots signed up; {} spam attempts in \
             {wave_time:?}: {} refused, {} held, {} published ({share:.1} % stopped); {} \
             ordinary posts: {} published, {} held, {} refused",
            spam_tally.total(),
            spam_tally.refused,
            spam_tally.held,
            spam_tally.published,
            people_tally.total(),
            people_tally.published,
            people_tally.held,
            people_tally.refused,
        );
        assert!(
            share >= 95.0,
            "only {share:.1} % of the spam stopped: {spam_tally:?}"
        );
        assert_eq!(people_tally.held, 0, "{people_tally:?}");
        assert_eq!(people_tally.refused, 0, "{people_tally:?}");
    }
}
