// The Lua scripts that run `Record`'s rules inside Redis, one per transition, so each is atomic across servers.
import Crypto
import OTP
import System

/// A script and its SHA-1, which EVALSHA names it by. The digests are constants, not computed at start-up;
/// a test loads every script into a real Redis and checks that SCRIPT LOAD answers the same digest.
struct RedisScript: Sendable {
    let name: String
    let source: String
    let sha1: String
}

/// Each script mirrors the Swift rule of the same name in Record.swift line by line, and a test drives both
/// with the same sequences and compares every outcome and resulting record. A record is one hash:
/// m = HMAC of the code in hex (empty once used), e = expiry, a = attempts, r = resend time, w = end of the
/// abuse window, s = sends, f = failures; times are Unix seconds passed in by the caller, as the file store
/// takes them. The hash's PEXPIRE is its `deadAt`, so Redis drops dead records itself and nothing sweeps.
enum RedisScripts {
    /// Shared by every script. `same` compares two hex MACs without stopping at the first difference.
    private static let common = """
        local function load(key)
          local v = redis.call('HMGET', key, 'm', 'e', 'a', 'r', 'w', 's', 'f')
          if not v[2] then return nil end
          return {m = v[1] or '', e = tonumber(v[2]), a = tonumber(v[3]) or 0, r = tonumber(v[4]) or 0,
                  w = tonumber(v[5]) or 0, s = tonumber(v[6]) or 0, f = tonumber(v[7]) or 0}
        end
        local function blank() return {m = '', e = 0, a = 0, r = 0, w = 0, s = 0, f = 0} end
        local function copy(t) return {m = t.m, e = t.e, a = t.a, r = t.r, w = t.w, s = t.s, f = t.f} end
        local function save(key, t, now)
          local dead = math.max(t.e, t.r, t.w)
          if dead <= now then redis.call('DEL', key) return end
          redis.call('HSET', key, 'm', t.m, 'e', t.e, 'a', t.a, 'r', t.r, 'w', t.w, 's', t.s, 'f', t.f)
          redis.call('PEXPIRE', key, (dead - now) * 1000)
        end
        local function in_window(t, now)
          local n = copy(t)
          if n.w <= now and (n.s ~= 0 or n.f ~= 0 or n.w ~= 0) then n.w = 0; n.s = 0; n.f = 0 end
          return n
        end
        local function same(a, b)
          if #a ~= #b then return false end
          local d = 0
          for i = 1, #a do d = bit.bor(d, bit.bxor(string.byte(a, i), string.byte(b, i))) end
          return d == 0
        end

        """

    /// ARGV: mac, now, ttl, cooldown, maxSends, window. Returns {1, previous record...} issued ({1} when there
    /// was none), {2, retryAfter} limited, {3, retryAfter} cooling down.
    static let issue = RedisScript(name: "issue", source: common + """
        local now, ttl, cool, maxs, win = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
        local cur = load(KEYS[1])
        local n = in_window(cur or blank(), now)
        local windowed = maxs > 0 and win > 0
        if windowed and n.s >= maxs then return {2, math.max(n.w, n.r) - now} end
        if cur and cur.r > now then return {3, cur.r - now} end
        n.m = ARGV[1]; n.e = now + ttl; n.a = 0; n.r = now + cool
        if windowed then
          if n.w <= now then n.w = now + win end
          n.s = n.s + 1
        end
        save(KEYS[1], n, now)
        if cur then return {1, cur.m, cur.e, cur.a, cur.r, cur.w, cur.s, cur.f} end
        return {1}
        """, sha1: "4419fb5bfef21943e540c5312c870fbf415d7333")

    /// ARGV: mac, now, maxAttempts, maxFailures, window. Returns {1} verified, {2} wrong, {3} exhausted,
    /// {4} absent, {5, retryAfter} limited.
    static let check = RedisScript(name: "check", source: common + """
        local now, maxa, maxf, win = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local cur = load(KEYS[1])
        if not cur then return {4} end
        local windowed = maxf > 0 and win > 0
        local n = in_window(cur, now)
        if windowed and n.f >= maxf then return {5, n.w - now} end
        if cur.m == '' or cur.e <= now then return {4} end
        if cur.a >= maxa then return {3} end
        if same(cur.m, ARGV[1]) then
          n.m = ''; n.e = 0; n.a = 0; n.r = 0
          save(KEYS[1], n, now)
          return {1}
        end
        n.a = n.a + 1
        if windowed then
          if n.w <= now then n.w = now + win end
          n.f = n.f + 1
        end
        save(KEYS[1], n, now)
        return {2}
        """, sha1: "eea2214e03ae527bcf33b2618cbc0abf42702497")

    /// ARGV: mac, now, hasPrevious (1/0), then the previous record's m, e, a, r. Returns 1 if it withdrew.
    static let withdraw = RedisScript(name: "withdraw", source: common + """
        local now = tonumber(ARGV[2])
        local cur = load(KEYS[1])
        if not cur or not same(cur.m, ARGV[1]) then return 0 end
        local has = ARGV[3] == '1'
        local n = copy(cur)
        if has then
          n.m = ARGV[4]; n.e = tonumber(ARGV[5]); n.a = tonumber(ARGV[6]); n.r = tonumber(ARGV[7])
        else
          n.m = ''; n.e = 0; n.a = 0; n.r = 0
        end
        n.s = math.max(0, cur.s - 1)
        if not has and n.s == 0 and n.f == 0 then
          redis.call('DEL', KEYS[1])
          return 1
        end
        save(KEYS[1], n, now)
        return 1
        """, sha1: "205263fce9b06b532fd854e99fa39fffd70a2725")

    /// ARGV: now, limit, window. Returns {1} counted, {2, retryAfter} limited.
    static let count = RedisScript(name: "count", source: common + """
        local now, limit, win = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local cur = load(KEYS[1])
        local n = in_window(cur or blank(), now)
        if n.s >= limit then return {2, n.w - now} end
        if n.w <= now then n.w = now + win end
        n.s = n.s + 1
        save(KEYS[1], n, now)
        return {1}
        """, sha1: "2ce2a19c05fd81c3b3fe3d197eaa50b2e188316c")

    /// ARGV: 32 fresh random bytes. The first server to ask creates the key (SET NX); everyone reads the winner.
    static let secret = RedisScript(name: "secret", source: """
        redis.call('SET', KEYS[1], ARGV[1], 'NX')
        return redis.call('GET', KEYS[1])
        """, sha1: "7031f2ac051cf3dad3e0da321b83730019bde2b0")

    static let all = [issue, check, withdraw, count, secret]
}
