%% -*- erlang -*-
%%! +P 2000000
%% bench/erlang/idle_million.erl: the BEAM twin of bench/idle_million.lua.
%%
%% (a) memory: spawn N processes that each send ready and block in receive;
%%     once all are ready and waiting, the growth of the resident set
%%     (/proc/self/statm) divided by N.
%% (b) pause: a ticker process wakes every millisecond (receive ... after 1)
%%     and records the longest gap between two wake-ups, while this process
%%     makes R rounds of garbage (a list of 100 one-element tuples each).
%%     BEAM collects each process's heap on its own, so there is no whole-node
%%     collection to time (bench/idle_million.lua prints one as full_gc_ms).
%%
%%   escript bench/erlang/idle_million.erl [N=1000000] [R=200000]
%%   -> idle rss_per_proc=<bytes> max_gap_ms=<float> churn_ms=<float> ticks=<n> n=<N>
-module(idle_million).
-export([main/1]).
-mode(compile).

main(Args) ->
    {N, R} = case Args of
                 [] -> {1000000, 200000};
                 [A] -> {list_to_integer(A), 200000};
                 [A, B | _] -> {list_to_integer(A), list_to_integer(B)}
             end,
    true = N >= 1 andalso R >= 1,
    Page = page_size(),
    Me = self(),
    Idle = fun() -> Me ! ready, receive _ -> ok end end,
    erlang:garbage_collect(),
    Before = rss_pages(),
    Pids = [spawn(Idle) || _ <- lists:seq(1, N)],
    ok = await_ready(N),
    ok = await_waiting(Pids),
    erlang:garbage_collect(),
    Rss = (rss_pages() - Before) * Page / N,

    T = spawn(fun() -> Me ! ticking, tick(Me, erlang:monotonic_time(microsecond), 0, 0) end),
    receive ticking -> ok end,
    C0 = erlang:monotonic_time(microsecond),
    churn(R),
    ChurnMs = (erlang:monotonic_time(microsecond) - C0) / 1000,
    T ! stop,
    {Gap, Ticks} = receive {gap, G, K} -> {G, K} end,
    io:format("idle rss_per_proc=~.1f max_gap_ms=~.3f churn_ms=~.1f ticks=~b n=~b~n",
              [Rss, Gap / 1000, ChurnMs, Ticks, N]),
    [exit(P, kill) || P <- Pids],
    ok.

page_size() ->
    case string:to_integer(os:cmd("getconf PAGESIZE")) of
        {P, _} when is_integer(P) -> P;
        _ -> 4096
    end.

rss_pages() ->
    {ok, Bin} = file:read_file("/proc/self/statm"),
    [_Size, Resident | _] = string:lexemes(binary_to_list(Bin), " \n"),
    list_to_integer(Resident).

tick(Parent, Last, Max, Ticks) ->
    Stop = receive stop -> true after 1 -> false end,
    Now = erlang:monotonic_time(microsecond),
    Max1 = max(Max, Now - Last),
    case Stop of
        true -> Parent ! {gap, Max1, Ticks + 1};
        false -> tick(Parent, Now, Max1, Ticks + 1)
    end.

churn(0) -> ok;
churn(I) ->
    _ = [{J} || J <- lists:seq(1, 100)],
    churn(I - 1).

await_ready(0) -> ok;
await_ready(I) -> receive ready -> await_ready(I - 1) end.

await_waiting([]) -> ok;
await_waiting([P | Rest] = Pids) ->
    case erlang:process_info(P, status) of
        {status, waiting} -> await_waiting(Rest);
        undefined -> exit({idle_process_died, P});
        _ -> erlang:yield(), await_waiting(Pids)
    end.
