package login

// ErrRetry lets the tests see the login transaction ask to run again.
var ErrRetry = errRetry
