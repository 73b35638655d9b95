package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a limiter shared by every process on one Redis: the same rules
// as Local, kept in Redis and applied by Lua scripts, on Redis's clock.
// Each Wait is one round trip (two when it had to wait for its turn).
type Redis struct {
	rdb                    redis.Scripter
	cfg                    Config
	req, tok, pause, level string // keys
}

// NewRedis returns a limiter named name: limiters with the same name share
// their rates and pauses. The name should say what is limited (e.g. an
// LLM base URL and model), never hold a secret such as an API key.
func NewRedis(rdb redis.Scripter, name string, cfg Config) *Redis {
	// One hash tag keeps the keys in one Redis Cluster slot, as a script
	// needs.
	prefix := "recap:ratelimit:{" + name + "}:"
	return &Redis{rdb: rdb, cfg: cfg.withDefaults(),
		req: prefix + "requests", tok: prefix + "tokens", pause: prefix + "pause", level: prefix + "level"}
}

// Wait blocks until one request of cost tokens may start (cost is
// charged to the Tokens rate only). It returns a *PausedError when paused
// for longer than MaxWait, or ctx's error.
func (r *Redis) Wait(ctx context.Context, cost int) error {
	return wait(ctx, r, r.cfg.MaxWait, cost)
}

// Times in the scripts are microseconds on Redis's clock, rounded up
// (never early). Numbers are written with %.0f: Lua 5.1 would turn them
// into strings with 14 digits.
const luaNow = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
`

// reserveScript: KEYS = pause key, then one key per rate; ARGV = per rate:
// interval (µs), cost, burst. Returns {paused, wait µs}.
var reserveScript = redis.NewScript(luaNow + `
local pause = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause > now then return {1, pause - now} end
local start = now
local tats = {}
for i = 2, #KEYS do
  local interval, cost, burst = tonumber(ARGV[i*3-5]), tonumber(ARGV[i*3-4]), tonumber(ARGV[i*3-3])
  tats[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  local due = tats[i] + (cost - math.max(burst, cost)) * interval
  if due > start then start = due end
end
for i = 2, #KEYS do
  local interval, cost = tonumber(ARGV[i*3-5]), tonumber(ARGV[i*3-4])
  local tat = math.ceil(math.max(tats[i], start) + cost * interval)
  redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
return {0, start - now}
`)

// pauseScript: KEYS = pause key; ARGV = the pause (µs). Keeps a longer
// pause already set. Returns the rest of the pause (µs).
var pauseScript = redis.NewScript(luaNow + `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local untl = now + tonumber(ARGV[1])
if untl > cur then
  redis.call('SET', KEYS[1], string.format('%.0f', untl), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1)
  cur = untl
end
return cur - now
`)

// blockScript: KEYS = pause key, level key; ARGV = first pause, longest
// pause (µs). A block while paused changes nothing; otherwise the level
// grows and the pause doubles with it. Returns the rest of the pause (µs).
var blockScript = redis.NewScript(luaNow + `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur > now then return cur - now end
local level = redis.call('INCR', KEYS[2])
local base, longest = tonumber(ARGV[1]), tonumber(ARGV[2])
local d = base
for i = 2, level do
  if d >= longest then break end
  d = d * 2
end
if d > longest then d = longest end
redis.call('SET', KEYS[1], string.format('%.0f', now + d), 'PX', math.ceil(d / 1000) + 1)
redis.call('PEXPIRE', KEYS[2], math.ceil((d + longest) / 1000))
return d
`)

// pausedScript: KEYS = pause key. Returns the rest of the pause (µs, ≥ 0).
var pausedScript = redis.NewScript(luaNow + `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur > now then return cur - now end
return 0
`)

func (r *Redis) reserve(ctx context.Context, cost int) (time.Duration, bool, error) {
	keys := []string{r.pause}
	var args []any
	add := func(key string, rate Rate, cost int) {
		if interval, burst, ok := rate.pace(); ok {
			keys = append(keys, key)
			args = append(args, strconv.FormatFloat(float64(interval)/float64(time.Microsecond), 'f', 3, 64), cost, burst)
		}
	}
	add(r.req, r.cfg.Requests, 1)
	add(r.tok, r.cfg.Tokens, max(cost, 0))
	res, err := reserveScript.Run(ctx, r.rdb, keys, args...).Int64Slice()
	if err != nil {
		return 0, false, fmt.Errorf("rate limit: %w", err)
	}
	if len(res) != 2 {
		return 0, false, fmt.Errorf("rate limit: unexpected answer %v", res)
	}
	return time.Duration(res[1]) * time.Microsecond, res[0] == 1, nil
}

func (r *Redis) pausedFor(ctx context.Context) (time.Duration, error) {
	us, err := pausedScript.Run(ctx, r.rdb, []string{r.pause}).Int64()
	if err != nil {
		return 0, fmt.Errorf("rate limit: %w", err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// Pause lets no request start for d, or for longer if a longer pause is
// already set: the service asked to slow down (e.g. Retry-After).
func (r *Redis) Pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if err := pauseScript.Run(ctx, r.rdb, []string{r.pause}, d.Microseconds()).Err(); err != nil {
		return fmt.Errorf("rate limit: pause: %w", err)
	}
	return nil
}

// Block pauses every request for a growing time: the service refused us
// (YouTube's 429 or bot check). A Block while paused changes nothing: the
// request it reports was sent before the pause began. It returns the end
// of the pause.
func (r *Redis) Block(ctx context.Context) (time.Time, error) {
	us, err := blockScript.Run(ctx, r.rdb, []string{r.pause, r.level},
		r.cfg.Backoff.Microseconds(), r.cfg.MaxBackoff.Microseconds()).Int64()
	if err != nil {
		return time.Time{}, fmt.Errorf("rate limit: block: %w", err)
	}
	return time.Now().Add(time.Duration(us) * time.Microsecond), nil
}
