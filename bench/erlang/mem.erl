%% -*- erlang -*-
%% bench/erlang/mem.erl: the BEAM twin of bench/mem.lua.
%%
%% Spawn N processes that each send ready to us and then block in receive;
%% once all are ready and report status waiting, the result is the growth of
%% erlang:memory(total) divided by N. Both readings follow a garbage
%% collection of this process; the list of pids is dead (and collected)
%% before the second reading, so only the processes themselves are counted.
%%
%% Definition (shared with bench/mem.lua, which uses otp.memory("total")):
%% whole-runtime memory growth / N -- not the sum of process_info(P, memory),
%% which would leave out the process table and the allocators' overhead.
%%
%%   escript bench/erlang/mem.erl [N=10000]
%%   -> mem bytes_per_proc=<float> n=<N>
-module(mem).
-export([main/1]).
-mode(compile).

main(Args) ->
    N = case Args of
            [] -> 10000;
            [A | _] -> list_to_integer(A)
        end,
    true = N >= 1,
    Me = self(),
    Idle = fun() -> Me ! ready, receive _ -> ok end end,

    erlang:garbage_collect(),
    Before = erlang:memory(total),

    Pids = [spawn(Idle) || _ <- lists:seq(1, N)],
    ok = await_ready(N),
    ok = await_waiting(Pids),

    erlang:garbage_collect(),
    After = erlang:memory(total),

    io:format("mem bytes_per_proc=~.1f n=~b~n", [(After - Before) / N, N]).

await_ready(0) -> ok;
await_ready(I) -> receive ready -> await_ready(I - 1) end.

%% Having sent ready a process may not have reached its receive yet.
await_waiting([]) -> ok;
await_waiting([P | Rest] = Pids) ->
    case erlang:process_info(P, status) of
        {status, waiting} -> await_waiting(Rest);
        undefined -> exit({idle_process_died, P});
        _ -> erlang:yield(), await_waiting(Pids)
    end.
