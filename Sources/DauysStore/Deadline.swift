import DauysReferendum
import Logging
import NIOConcurrencyHelpers

/// Runs one database call and gives up on it after `limit` with `StoreError.unavailable`.
///
/// Why: in a fail-over a call can wait forever — a connection lost while it was being opened,
/// a commit waiting for a standby that is gone — and the board's writer lock is held across the
/// append, so one such call would stop every cast of the front end (docs/deployment.md). The
/// call runs in its own task, so the caller is released at the deadline even if the call itself
/// ignores cancellation (a task group would wait for it). Giving up does not undo the call: an
/// append that still commits later is found by the next append's chain check (`conflict` or
/// `diverged`), which re-reads the board, and a ballot that was not acknowledged may be on the
/// board — the voter's retry then gets its receipt.
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let gate = DeadlineGate<T>()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        gate.wait(continuation)
        let work = Task {
            do { gate.finish(.success(try await body())) } catch { gate.finish(.failure(error)) }
        }
        let timer = Task {
            do { try await Task.sleep(for: limit) } catch { return }
            let late = StoreError.unavailable("\(what) did not answer within \(limit)")
            if gate.finish(.failure(late)) {
                deadlineLogger.warning("\(late.description); the call was abandoned")
                work.cancel()
            }
        }
        gate.whenFinished { timer.cancel() }
    }
}

/// Resumes the continuation exactly once: with the call's outcome or with the deadline's.
private final class DeadlineGate<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var onFinish: (@Sendable () -> Void)?
    }
    private let state = NIOLockedValueBox(State())

    func wait(_ c: CheckedContinuation<T, any Error>) { state.withLockedValue { $0.continuation = c } }

    /// Runs `action` once the outcome is known (at once if it already is).
    func whenFinished(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLockedValue { s -> Bool in
            if s.outcome != nil { return true }
            s.onFinish = action
            return false
        }
        if now { action() }
    }

    /// Returns false if the outcome was already decided.
    @discardableResult
    func finish(_ outcome: Result<T, any Error>) -> Bool {
        let decided = state.withLockedValue { s -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?)? in
            guard s.outcome == nil else { return nil }
            s.outcome = outcome
            defer {
                s.continuation = nil
                s.onFinish = nil
            }
            return (s.continuation, s.onFinish)
        }
        guard let (continuation, onFinish) = decided else { return false }
        continuation?.resume(with: outcome)
        onFinish?()
        return true
    }
}

private let deadlineLogger = Logger(label: "dauys.store")
