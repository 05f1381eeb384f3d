//! Streams over every item of the operations that answer one page at a time.
//!
//! Each paginated operation gets a `*_pages` method (generated from `x-acs-pagination` in the spec)
//! returning [`Pages`]; [`Pages::items`] yields the items of all pages in order, asking for the next
//! page only when the previous one is used up.

use std::future::Future;
use std::pin::Pin;

use futures::{Stream, TryStreamExt, stream};

use crate::Error;

/// A response that carries one page of a longer list.
pub trait Paginated: Sized {
    /// The element of the list.
    type Item;
    /// Whether the operation pages by `NextToken` (else by `PageNumber`): a token page without a
    /// token is the last one, whatever `TotalCount` says.
    const TOKEN_PAGED: bool = false;
    /// `TotalCount`, for page-number operations.
    fn total_count(&self) -> Option<i64>;
    /// `PageNumber` as answered.
    fn page_number(&self) -> Option<i64>;
    /// `PageSize` as answered.
    fn page_size(&self) -> Option<i64>;
    /// `NextToken`, for token operations; empty or absent on the last page.
    fn next_token(&self) -> Option<&str>;
    /// How many items this page holds.
    fn item_count(&self) -> usize;
    /// The items of this page.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A request whose page can be chosen.
pub trait PageRequest: Clone {
    /// Asks for page `number` (1-based).
    fn set_page(&mut self, number: i32);
    /// Asks for the page after `token`.
    fn set_next_token(&mut self, token: Option<String>);
}

/// The future of one page.
pub type PageFuture<'a, R> = Pin<Box<dyn Future<Output = Result<R, Error>> + Send + 'a>>;

type Fetch<'a, Req, Resp> = Box<dyn Fn(Req) -> PageFuture<'a, Resp> + Send + Sync + 'a>;

/// All pages of one request.
pub struct Pages<'a, Req, Resp> {
    request: Req,
    fetch: Fetch<'a, Req, Resp>,
}

impl<Req, Resp> std::fmt::Debug for Pages<'_, Req, Resp> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

/// Where the walk over the pages stands.
enum Cursor {
    Page { number: i32, seen: i64 },
    Token(Option<String>),
    Done,
}

impl<'a, Req, Resp> Pages<'a, Req, Resp>
where
    Req: PageRequest + Send + 'a,
    Resp: Paginated + Send + 'a,
{
    /// Wraps a function that fetches one page of `client` for a request.
    pub fn new<C, F, Fut, E>(client: &'a C, request: Req, fetch: F) -> Self
    where
        C: Sync + ?Sized,
        F: Fn(&'a C, Req) -> Fut + Send + Sync + 'a,
        Fut: Future<Output = Result<Resp, E>> + Send + 'a,
        E: Into<Error>,
    {
        Self {
            request,
            fetch: Box::new(move |request| {
                let page = fetch(client, request);
                Box::pin(async move { page.await.map_err(Into::into) })
            }),
        }
    }

    /// Every page, in order. Page-number operations stop once `TotalCount` items were seen or a
    /// page comes back empty; token operations stop when `NextToken` is absent or empty.
    pub fn pages(self) -> impl Stream<Item = Result<Resp, Error>> + Send + 'a {
        let Pages { request, fetch } = self;
        let start = Cursor::Page { number: 1, seen: 0 };
        stream::try_unfold(
            (start, request, fetch),
            |(cursor, mut request, fetch)| async move {
                match &cursor {
                    Cursor::Done => return Ok(None),
                    Cursor::Page { number, .. } => request.set_page(*number),
                    Cursor::Token(token) => request.set_next_token(token.clone()),
                }
                let page = fetch(request.clone()).await?;
                let next = next_cursor(&cursor, &page);
                Ok(Some((page, (next, request, fetch))))
            },
        )
    }

    /// Every item of every page, in order.
    pub fn items(self) -> impl Stream<Item = Result<Resp::Item, Error>> + Send + 'a
    where
        Resp::Item: Send + 'a,
    {
        self.pages()
            .map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok)))
            .try_flatten()
    }

    /// Collects every item of every page.
    pub async fn collect_all(self) -> Result<Vec<Resp::Item>, Error>
    where
        Resp::Item: Send + 'a,
    {
        self.items().try_collect().await
    }
}

/// Chooses the next page from what the last one said.
fn next_cursor<Resp: Paginated>(cursor: &Cursor, page: &Resp) -> Cursor {
    if let Some(token) = page.next_token() {
        return if token.is_empty() {
            Cursor::Done
        } else {
            Cursor::Token(Some(token.to_owned()))
        };
    }
    if Resp::TOKEN_PAGED {
        return Cursor::Done;
    }
    match cursor {
        Cursor::Page { number, seen } => {
            let count = page.item_count() as i64;
            let seen = seen + count;
            // A page that comes back empty ends the walk even if TotalCount promised more, so a
            // service that miscounts cannot make the stream loop forever.
            if count == 0 || seen >= page.total_count().unwrap_or(0) {
                Cursor::Done
            } else {
                Cursor::Page {
                    number: number + 1,
                    seen,
                }
            }
        }
        // A token operation whose page carries no token is on its last page.
        Cursor::Token(_) | Cursor::Done => Cursor::Done,
    }
}
