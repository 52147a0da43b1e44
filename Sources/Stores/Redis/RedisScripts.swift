// The Lua scripts that run `Record`'s rules inside Redis, one per transition, so each is atomic across servers.

/// A script and its SHA-1, which EVALSHA names it by. The digests are constants, not computed at start-up;
/// a test loads every script into a real Redis and checks that SCRIPT LOAD answers the same digest.
struct RedisScript: Sendable {
    let name: String
    let source: String
    let sha1: String
}

/// Each script mirrors the Swift rule of the same name in Record.swift or EventLog.swift line by line, and a test
/// drives both with the same sequences and compares every outcome and resulting value. A record is one hash:
/// m = HMAC of the code in hex (empty once used), e = expiry, a = attempts, r = resend time. An event log is one
/// string of ascending Unix seconds separated by spaces. Times are passed in by the caller, as the file store
/// takes them. Every key's PEXPIRE is when it dies, so Redis drops dead values itself and nothing sweeps.
enum RedisScripts {
    /// Shared by the record scripts. `same` compares two hex MACs without stopping at the first difference.
    private static let common = """
        local function load(key)
          local v = redis.call('HMGET', key, 'm', 'e', 'a', 'r')
          if not v[2] then return nil end
          return {m = v[1] or '', e = tonumber(v[2]), a = tonumber(v[3]) or 0, r = tonumber(v[4]) or 0}
        end
        local function save(key, t, now)
          local dead = math.max(t.e, t.r)
          if dead <= now then redis.call('DEL', key) return end
          redis.call('HSET', key, 'm', t.m, 'e', t.e, 'a', t.a, 'r', t.r)
          redis.call('PEXPIRE', key, (dead - now) * 1000)
        end
        local function same(a, b)
          if #a ~= #b then return false end
          local d = 0
          for i = 1, #a do d = bit.bor(d, bit.bxor(string.byte(a, i), string.byte(b, i))) end
          return d == 0
        end

        """

    /// ARGV: mac, now, ttl, cooldown. Returns {1, previous record...} issued ({1} when there was none),
    /// {3, retryAfter} cooling down.
    static let issue = RedisScript(name: "issue", source: common + """
        local now, ttl, cool = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local cur = load(KEYS[1])
        if cur and cur.r > now then return {3, cur.r - now} end
        save(KEYS[1], {m = ARGV[1], e = now + ttl, a = 0, r = now + cool}, now)
        if cur then return {1, cur.m, cur.e, cur.a, cur.r} end
        return {1}
        """, sha1: "1cdd8357110817c4a6ed0bbbe1ad93371b477368")

    /// ARGV: mac, now, maxAttempts. Returns {1} verified, {2} wrong, {3} exhausted, {4} absent.
    /// An absent code costs what a wrong one does, writes and all (which an AOF with `appendfsync always` would
    /// otherwise turn into a millisecond of difference): a used or expired record is written back as it is, and
    /// where there is none a stand-in is compared, written and deleted.
    static let check = RedisScript(name: "check", source: common + """
        local now, maxa = tonumber(ARGV[2]), tonumber(ARGV[3])
        local cur = load(KEYS[1])
        if not cur or cur.m == '' or cur.e <= now then
          if cur then
            same(cur.m, ARGV[1])
            save(KEYS[1], cur, now)
          else
            same(string.rep('0', #ARGV[1]), ARGV[1])
            save(KEYS[1], {m = '', e = now + 1, a = 0, r = 0}, now)
            redis.call('DEL', KEYS[1])
          end
          return {4}
        end
        if cur.a >= maxa then return {3} end
        if same(cur.m, ARGV[1]) then
          redis.call('DEL', KEYS[1])
          return {1}
        end
        cur.a = cur.a + 1
        save(KEYS[1], cur, now)
        return {2}
        """, sha1: "d319356b2512ba25f6954b06d9e4617bc1b7806b")

    /// ARGV: mac, now, hasPrevious (1/0), then the previous record's m, e, a, r. Returns 1 if it withdrew.
    static let withdraw = RedisScript(name: "withdraw", source: common + """
        local now = tonumber(ARGV[2])
        local cur = load(KEYS[1])
        if not cur or not same(cur.m, ARGV[1]) then return 0 end
        if ARGV[3] == '1' then
          save(KEYS[1], {m = ARGV[4], e = tonumber(ARGV[5]), a = tonumber(ARGV[6]), r = tonumber(ARGV[7])}, now)
        else
          redis.call('DEL', KEYS[1])
        end
        return 1
        """, sha1: "5c1d0309bfdf22ee310ef7996920e97587561fc2")

    /// Shared by the event log scripts: the log's times, and writing them back with the log's death as PEXPIRE.
    private static let logs = """
        local function times(key)
          local out = {}
          local v = redis.call('GET', key)
          if v then for t in string.gmatch(v, '%d+') do out[#out + 1] = tonumber(t) end end
          return out
        end
        local function store(key, list, from, win, now)
          local kept = {}
          for i = from, #list do kept[#kept + 1] = string.format('%d', list[i]) end
          local dead = #kept > 0 and list[#list] + win + 1 or now
          if dead <= now then redis.call('DEL', key) return end
          redis.call('SET', key, table.concat(kept, ' '), 'PX', (dead - now) * 1000)
        end

        """

    /// ARGV: now, limit, window. Returns {1} counted, {2, retryAfter} limited.
    static let take = RedisScript(name: "take", source: logs + """
        local now, limit, win = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local live = {}
        for _, t in ipairs(times(KEYS[1])) do if t >= now - win then live[#live + 1] = t end end
        if #live >= limit then return {2, live[#live - limit + 1] + win + 1 - now} end
        local at = #live + 1
        while at > 1 and live[at - 1] > now do at = at - 1 end
        table.insert(live, at, now)
        store(KEYS[1], live, math.max(1, #live - limit + 1), win, now)
        return {1}
        """, sha1: "4e8a17156028e910c8d11fe83b5908d3b1011ed4")

    /// ARGV: time, window. Removes the last event at `time`; returns 1 if there was one.
    static let giveBack = RedisScript(name: "giveBack", source: logs + """
        local time, win = tonumber(ARGV[1]), tonumber(ARGV[2])
        local list = times(KEYS[1])
        for i = #list, 1, -1 do
          if list[i] == time then
            table.remove(list, i)
            store(KEYS[1], list, 1, win, time)
            return 1
          end
        end
        return 0
        """, sha1: "d6ad4c0fc77848e93c85a3fdaca0994a9b5a26b4")

    static let all = [issue, check, withdraw, take, giveBack]
}
