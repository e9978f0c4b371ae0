//! A bounded queue of jobs.
use std::collections::VecDeque;
use std::fmt::{self, Display};

pub const MAX_JOBS: usize = 128;
static GREETING: &str = "hello";

pub type JobId = u64;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: JobId,
    pub name: String,
}

pub enum State {
    Waiting,
    Running(JobId),
}

pub trait Runner {
    fn run(&mut self, job: &Job) -> Result<(), String>;
}

pub struct Queue {
    jobs: VecDeque<Job>,
}

impl Queue {
    pub fn new() -> Self {
        Queue { jobs: VecDeque::with_capacity(MAX_JOBS) }
    }

    pub fn push(&mut self, job: Job) -> bool {
        if self.jobs.len() >= MAX_JOBS {
            return false;
        }
        self.jobs.push_back(job);
        true
    }
}

impl Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.id)
    }
}

mod tests {
    use super::*;

    fn drain(queue: &mut Queue, runner: &mut dyn Runner) {
        while let Some(job) = queue.jobs.pop_front() {
            runner.run(&job).unwrap();
        }
    }
}

macro_rules! job {
    ($name:expr) => { Job { id: 0, name: $name.to_string() } };
}
