//! A stream wrapper that counts and keeps the server's first bytes during the handshake, so
//! that a server speaking something other than TLS can be named afterwards.

use super::{SharedState, lock};
use std::io;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many of the server's first bytes are kept, to name a protocol that is not TLS.
const SNIFF_BYTES: usize = 256;

/// A stream that remembers the first bytes the server sent, to recognise non-TLS protocols.
pub(super) struct Sniffing<S> {
    pub(super) inner: S,
    pub(super) shared: SharedState,
}

impl<S: AsyncRead + Unpin> AsyncRead for Sniffing<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            let fresh = &buf.filled()[before..];
            let mut state = lock(&self.shared);
            state.bytes_received += fresh.len();
            let room = SNIFF_BYTES.saturating_sub(state.first_bytes.len());
            state
                .first_bytes
                .extend_from_slice(&fresh[..room.min(fresh.len())]);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Sniffing<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    // Passed through so that rustls writes a flight of records in one system call, not one
    // per record.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
