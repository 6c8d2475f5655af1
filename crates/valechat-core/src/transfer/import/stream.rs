//! The streaming parser: reads the file's top-level value and hands each
//! conversation over as soon as it is parsed, so memory holds one
//! conversation (plus the channel's few), never the file. It runs on a
//! blocking thread and sends [`Item`]s through a bounded channel; when the
//! receiver is gone it stops.
//!
//! Two shapes: a JSON array of conversations (ChatGPT, Claude, Open
//! WebUI), or the ValeChat object whose `format` and `version` come before
//! its `conversations` array.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use tokio::sync::mpsc::Sender;

/// What the parser found, in file order.
#[derive(Debug)]
pub(super) enum Item {
    /// The top-level value is an array (`true`) or an object (`false`).
    Start { array: bool },
    /// A top-level field of the object form (`format`, `version`).
    Field { name: String, value: Value },
    /// One conversation, and the bytes read once it was parsed.
    Conversation { value: Value, bytes: u64 },
}

/// Why parsing stopped early.
#[derive(Debug)]
pub(super) struct Failure {
    /// The parser's error (line and column in it).
    pub error: serde_json::Error,
    /// Bytes read when it stopped.
    pub byte: u64,
}

/// Counts the bytes the parser reads.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// Parses `reader` (buffer it: the parser reads byte by byte), sending
/// what it finds to `items`.
///
/// # Errors
/// A [`Failure`] where the JSON ends early or is invalid, where the top
/// level is neither an array nor an object, or where `items` was closed.
pub(super) fn parse<R: Read>(reader: R, items: &Sender<Item>) -> Result<(), Failure> {
    let read = Rc::new(Cell::new(0));
    let counting = Counting {
        inner: reader,
        read: Rc::clone(&read),
    };
    let mut de = serde_json::Deserializer::from_reader(counting);
    let top = Top {
        items,
        read: Rc::clone(&read),
    };
    de.deserialize_any(top)
        .and_then(|()| de.end())
        .map_err(|error| Failure {
            error,
            byte: read.get(),
        })
}

/// Sends `item`, or fails when the receiver is gone.
fn send<E: serde::de::Error>(items: &Sender<Item>, item: Item) -> Result<(), E> {
    items
        .blocking_send(item)
        .map_err(|_| E::custom("import stopped"))
}

/// Visitor of the top-level value.
struct Top<'a> {
    items: &'a Sender<Item>,
    read: Rc<Cell<u64>>,
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of conversations or a ValeChat export object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        send(self.items, Item::Start { array: true })?;
        Conversations {
            items: self.items,
            read: self.read,
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        send(self.items, Item::Start { array: false })?;
        while let Some(name) = map.next_key::<String>()? {
            match name.as_str() {
                "conversations" => map.next_value_seed(Conversations {
                    items: self.items,
                    read: Rc::clone(&self.read),
                })?,
                "format" | "version" => {
                    let value = map.next_value::<Value>()?;
                    send(self.items, Item::Field { name, value })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Visitor (and seed) of the array of conversations.
struct Conversations<'a> {
    items: &'a Sender<Item>,
    read: Rc<Cell<u64>>,
}

impl<'de> DeserializeSeed<'de> for Conversations<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Conversations<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of conversations")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            let bytes = self.read.get();
            send(self.items, Item::Conversation { value, bytes })?;
        }
        Ok(())
    }
}
