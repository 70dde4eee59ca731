%% -*- erlang -*-
%% bench/erlang/spawn.erl: the BEAM twin of bench/spawn.lua.
%%
%% (a) batch: spawn N processes whose fun returns at once, then poll
%%     erlang:system_info(process_count) (erlang:yield() between checks)
%%     until it is back to where it started; time per process.
%% (b) sequential: N times spawn_monitor(Fun) and a selective receive of the
%%     {'DOWN', Ref, ...} for that Ref; time per process.
%%
%%   escript bench/erlang/spawn.erl [N=100000]
%%   -> spawn batch_us=<float> monitor_us=<float> n=<N>
-module(spawn).
-export([main/1]).
-mode(compile).

main(Args) ->
    N = case Args of
            [] -> 100000;
            [A | _] -> list_to_integer(A)
        end,
    true = N >= 1,
    Noop = fun() -> ok end,

    %% (a) batch
    Start = erlang:system_info(process_count),
    T0 = erlang:monotonic_time(microsecond),
    spawn_n(Noop, N),
    wait_count(Start),
    T1 = erlang:monotonic_time(microsecond),
    BatchUs = (T1 - T0) / N,

    %% (b) spawn + monitor + wait for DOWN, one at a time
    T2 = erlang:monotonic_time(microsecond),
    monitor_n(Noop, N),
    T3 = erlang:monotonic_time(microsecond),
    MonitorUs = (T3 - T2) / N,

    io:format("spawn batch_us=~.3f monitor_us=~.3f n=~b~n", [BatchUs, MonitorUs, N]).

spawn_n(_, 0) -> ok;
spawn_n(F, I) -> spawn(F), spawn_n(F, I - 1).

wait_count(Start) ->
    case erlang:system_info(process_count) > Start of
        true -> erlang:yield(), wait_count(Start);
        false -> ok
    end.

monitor_n(_, 0) -> ok;
monitor_n(F, I) ->
    {_, Ref} = spawn_monitor(F),
    receive {'DOWN', Ref, process, _, normal} -> ok end,
    monitor_n(F, I - 1).
