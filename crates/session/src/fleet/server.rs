//! `loadcell collect`'s listener: one thread accepting, one thread per connection (parts
//! are a handful, each on one kept-alive connection). Connection threads only frame HTTP:
//! every message goes to the collector's loop as an [`Event`] with a channel for its
//! answer, so all state lives in one thread and nothing is locked.

use super::http;
use super::wire::{self, Answer, Kind, PartId};
use crate::error::{SessionError, invalid};
use std::io::BufReader;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};

/// What the connections tell the collector's loop.
pub enum Event {
    /// A message from a part; the answer goes back through `reply`.
    Message {
        part: PartId,
        kind: Kind,
        body: Vec<u8>,
        reply: Sender<Reply>,
    },
    /// The connection that last spoke for `part` closed.
    Closed { part: PartId },
}

/// The collector's answer to a message.
pub enum Reply {
    Taken(Answer),
    /// Refused for good (another test, a segment taken): 409 with the sentence.
    Refused(String),
    /// Not understood: 400 with the sentence.
    Bad(String),
}

/// Binds `addr` (a taken port or a bad address is a usage error, before any part comes)
/// and starts accepting; the bound address and the events.
pub fn listen(addr: &str) -> Result<(SocketAddr, Receiver<Event>), SessionError> {
    let listener = TcpListener::bind(addr).map_err(|e| invalid(format!("--listen {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| invalid(format!("--listen {addr}: {e}")))?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("loadcell-collect-accept".to_string())
        .spawn(move || accept(&listener, &tx))
        .map_err(|e| invalid(format!("--listen: cannot start its thread: {e}")))?;
    Ok((bound, rx))
}

fn accept(listener: &TcpListener, tx: &Sender<Event>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let tx = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("loadcell-collect-conn".to_string())
            .spawn(move || serve(stream, &tx));
        if spawned.is_err() {
            // Out of threads: the part's sender retries on a new connection.
            continue;
        }
    }
}

/// Serves one connection until it closes; says which part it spoke for.
fn serve(stream: TcpStream, tx: &Sender<Event>) {
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else { return };
    let mut input = BufReader::new(read_half);
    let mut output = stream;
    let mut spoke_for: Option<PartId> = None;
    while let Ok(Some((method, path, body))) = http::read_request(&mut input) {
        let Some((part, kind)) = wire::parse_path(&path).filter(|_| method == "POST") else {
            let said = http::write_response(&mut output, 404, "loadcell collect: POST /v1/part/I/N/ID/KIND\n");
            if said.is_err() {
                break;
            }
            continue;
        };
        let (reply, answer) = mpsc::channel();
        spoke_for = Some(part.clone());
        let event = Event::Message {
            part,
            kind,
            body,
            reply,
        };
        if tx.send(event).is_err() {
            break;
        }
        let written = match answer.recv() {
            Ok(Reply::Taken(a)) => http::write_response(&mut output, 200, &a.body()),
            Ok(Reply::Refused(why)) => http::write_response(&mut output, 409, &why),
            Ok(Reply::Bad(why)) => http::write_response(&mut output, 400, &why),
            Err(_) => break,
        };
        if written.is_err() {
            break;
        }
    }
    if let Some(part) = spoke_for {
        let _ = tx.send(Event::Closed { part });
    }
}
