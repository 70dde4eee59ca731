%% -*- erlang -*-
%% bench/erlang/timers.erl: the BEAM twin of bench/timers.lua.
%% This process sets N timers to itself (erlang:send_after/3), the i-th due
%% after 1 + i rem 100 ms, then receives the N messages; the time from before
%% the first send_after to the last message, and the part spent setting them.
%%
%%   escript bench/erlang/timers.erl [N=100000]
%%   -> timers total_ms=<float> set_ms=<float> n=<N>
-module(timers).
-export([main/1]).
-mode(compile).

main(Args) ->
    N = case Args of [] -> 100000; [A | _] -> list_to_integer(A) end,
    true = N >= 1,
    Me = self(),
    T0 = erlang:monotonic_time(microsecond),
    set(Me, 1, N),
    T1 = erlang:monotonic_time(microsecond),
    ok = recv(N),
    T2 = erlang:monotonic_time(microsecond),
    io:format("timers total_ms=~.3f set_ms=~.3f n=~b~n", [(T2 - T0) / 1000, (T1 - T0) / 1000, N]).

set(_, I, N) when I > N -> ok;
set(Me, I, N) -> erlang:send_after(1 + I rem 100, Me, I), set(Me, I + 1, N).

recv(0) -> ok;
recv(I) -> receive _ -> recv(I - 1) end.
