%% -*- erlang -*-
%% bench/erlang/dynsup.erl: the BEAM twin of bench/dynsup.lua.
%% One simple_one_for_one supervisor; N gen_server workers started with
%% supervisor:start_child, one after another, then stopped with
%% supervisor:terminate_child(Sup, Pid) in the order they started. Time per
%% child for each half, in wall-clock microseconds.
%%
%%   escript bench/erlang/dynsup.erl N
%%   -> dynsup start_us=<float> stop_us=<float> children=<N>
-module(dynsup).
-behaviour(supervisor).
-export([main/1, init/1, start_worker/0]).
-export([handle_call/3, handle_cast/2]).
-mode(compile).

main(Args) ->
    N = case Args of
            [] -> 10000;
            [A | _] -> list_to_integer(A)
        end,
    true = N >= 1,
    {ok, Sup} = supervisor:start_link(?MODULE, sup),
    T0 = erlang:monotonic_time(microsecond),
    Pids = [begin {ok, P} = supervisor:start_child(Sup, []), P end || _ <- lists:seq(1, N)],
    T1 = erlang:monotonic_time(microsecond),
    [ok = supervisor:terminate_child(Sup, P) || P <- Pids],
    T2 = erlang:monotonic_time(microsecond),
    0 = proplists:get_value(workers, supervisor:count_children(Sup)),
    io:format("dynsup start_us=~.3f stop_us=~.3f children=~b~n",
              [(T1 - T0) / N, (T2 - T1) / N, N]).

start_worker() -> gen_server:start_link(?MODULE, worker, []).

%% supervisor and gen_server callbacks share init/1
init(sup) ->
    {ok, {#{strategy => simple_one_for_one},
          [#{id => worker, start => {?MODULE, start_worker, []}}]}};
init(worker) ->
    {ok, 0}.

handle_call(_, _From, N) -> {reply, N, N}.
handle_cast(_, S) -> {noreply, S}.
